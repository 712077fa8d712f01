// What each `framerpc` command does, given its parsed arguments; main.ts wires them to the argument parser.
import type { Writable, Readable } from 'node:stream';
import * as protobuf from 'protobufjs';
import type { CallOptions } from '../client/call-options';
import type { Channel } from '../client/channel';
import { createClient } from '../client/create-client';
import { checkHealth } from '../health/health-client';
import { ServingStatus, servingStatusName } from '../health/health-service';
import { callOptionsOf, openChannel, UsageError, type ConnectionFlags } from './connection-options';
import { describeMethod, describeService, describeType } from './describe-format';
import { jsonServiceDefinition, type JsonValue } from './json-definition';
import { parseJsonArgument, readJsonLines } from './ndjson';
import { protoDirSource, reflectionSource, type SchemaSource } from './schema-source';

/** Where a command writes and reads; process.stdout/stdin in the bin, streams in tests. */
export interface CommandIo {
  readonly stdout: Writable;
  readonly stdin: Readable;
}

/** Exit statuses: 0 success, 1 the call failed (or the service is not serving), 2 a usage mistake. */
export const ExitStatus = { OK: 0, FAILED: 1, USAGE: 2 } as const;

async function withChannel<T>(address: string, flags: ConnectionFlags, run: (channel: Channel, options: CallOptions) => Promise<T>): Promise<T> {
  const options = callOptionsOf(flags);
  const channel = openChannel(address, flags);
  try {
    return await run(channel, options);
  } finally {
    channel.close();
  }
}

function sourceOf(channel: Channel, options: CallOptions, flags: ConnectionFlags): SchemaSource {
  return flags.proto ? protoDirSource(flags.proto) : reflectionSource(channel, options);
}

/** `framerpc list ADDR`: one service name per line. */
export function listCommand(io: CommandIo, address: string, flags: ConnectionFlags): Promise<number> {
  return withChannel(address, flags, async (channel, options) => {
    const services = await sourceOf(channel, options, flags).listServices();
    for (const service of services.sort()) io.stdout.write(`${service}\n`);
    return ExitStatus.OK;
  });
}

/** `framerpc describe ADDR SYMBOL`: a service or one method, with the messages they use; or one message or enum. */
export function describeCommand(io: CommandIo, address: string, symbol: string, flags: ConnectionFlags): Promise<number> {
  return withChannel(address, flags, async (channel, options) => {
    const root = await sourceOf(channel, options, flags).root([symbol]);
    const found = root.lookup(symbol);
    if (found instanceof protobuf.Service) io.stdout.write(`${describeService(found)}\n`);
    else if (found instanceof protobuf.Method) io.stdout.write(`${describeMethod(found)}\n`);
    else if (found instanceof protobuf.Type || found instanceof protobuf.Enum) io.stdout.write(`${describeType(found)}\n`);
    else throw new UsageError(`${symbol} is not a service, method, message or enum the server describes`);
    return ExitStatus.OK;
  });
}

/**
 * `framerpc call ADDR SERVICE/METHOD [JSON]`: prints the response as JSON; a server stream prints one JSON line
 * per message; client and bidi streams read newline-delimited JSON requests from stdin.
 */
export function callCommand(io: CommandIo, address: string, target: string, json: string | undefined, flags: ConnectionFlags): Promise<number> {
  const slash = target.lastIndexOf('/');
  if (slash <= 0 || slash === target.length - 1) throw new UsageError(`${target} must be SERVICE/METHOD, e.g. echo.v1.EchoService/Echo`);
  const serviceName = target.slice(0, slash).replace(/^\//, '');
  const methodName = target.slice(slash + 1);
  return withChannel(address, flags, async (channel, options) => {
    const root = await sourceOf(channel, options, flags).root([serviceName]);
    const found = root.lookup(serviceName);
    if (!(found instanceof protobuf.Service)) throw new UsageError(`${serviceName} is not a service the server describes`);
    const definition = jsonServiceDefinition(found);
    const method = definition.methods[methodName] ?? Object.values(definition.methods).find((m) => m.name.toLowerCase() === methodName.toLowerCase());
    if (!method) throw new UsageError(`${serviceName} has no method ${methodName} (methods: ${Object.keys(definition.methods).join(', ')})`);
    const call = (createClient(definition, channel) as unknown as Record<string, (input: unknown, options: CallOptions) => unknown>)[method.name];
    // A request stream comes from stdin, or is the one message given as the argument.
    const input = method.requestStream ? (json === undefined ? readJsonLines(io.stdin) : single(parseJsonArgument(json))) : parseJsonArgument(json);
    const print = (message: JsonValue): void => void io.stdout.write(`${JSON.stringify(message, null, method.responseStream ? undefined : 2)}\n`);
    if (method.responseStream) {
      for await (const message of call(input, options) as AsyncIterable<JsonValue>) print(message);
    } else {
      print((await call(input, options)) as JsonValue);
    }
    return ExitStatus.OK;
  });
}

/** `framerpc health ADDR [SERVICE]`: prints SERVING / NOT_SERVING; exit status 0 only when serving. */
export function healthCommand(io: CommandIo, address: string, service: string | undefined, flags: ConnectionFlags): Promise<number> {
  return withChannel(address, flags, async (channel, options) => {
    const status = await checkHealth(channel, service ?? '', options);
    io.stdout.write(`${servingStatusName(status)}\n`);
    return status === ServingStatus.SERVING ? ExitStatus.OK : ExitStatus.FAILED;
  });
}

async function* single<T>(item: T): AsyncIterable<T> {
  yield item;
}
