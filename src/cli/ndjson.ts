// Newline-delimited JSON in and out: request streams read from stdin, one response printed per line.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { UsageError } from './connection-options';
import type { JsonValue } from './json-definition';

/** Each non-blank line of `input` parsed as JSON; a line that is not JSON fails the stream naming its number. */
export async function* readJsonLines(input: Readable): AsyncIterable<JsonValue> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as JsonValue;
    } catch (error) {
      throw new UsageError(`stdin line ${number} is not JSON: ${(error as Error).message}`);
    }
  }
}

/** Parses a command-line JSON argument. */
export function parseJsonArgument(text: string | undefined): JsonValue {
  if (text === undefined) return {};
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(`the request is not JSON: ${(error as Error).message}`);
  }
}
