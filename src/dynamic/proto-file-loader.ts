// Reads .proto files and their imports into one protobufjs Root, naming the file in every error.
//
// protobufjs's own Root.load is not used: its async variant throws unresolved-type errors from inside an fs callback
// (an uncaught exception, not a rejection), and its syntax errors do not always name the file.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { DynamicProtoError, DynamicProtoErrorCode } from './dynamic-proto-error';

/** @internal A file to read: the paths to try in order, and who asked for it (for the error message). */
export interface FileRequest {
  readonly name: string;
  readonly candidates: readonly string[];
  readonly importedBy: string | undefined;
}

/** @internal What the driver sends back: the first candidate that could be read, and its text. */
export interface FileSource {
  readonly file: string;
  readonly source: string;
}

// protobufjs bundles google/protobuf/{any,duration,empty,...}.proto as JSON; `common.get` is untyped in its .d.ts.
// `parse.filename` (the file being parsed, for its messages) is likewise untyped.
const parseState = protobuf.parse as unknown as { filename: string | null };
const bundled = protobuf.common as unknown as { get(file: string): { nested?: Record<string, protobuf.AnyNestedObject>; options?: Record<string, unknown> } | null };

/**
 * @internal Walks files and imports, yielding a FileRequest whenever it needs a file's text, so one walk serves both
 * the sync and the async driver. Parses with keepCase=false: fields get ts-proto's lowerCamel names.
 */
function* walkProtoFiles(files: readonly string[], includeDirs: readonly string[]): Generator<FileRequest, protobuf.Root, FileSource> {
  const root = new protobuf.Root();
  const seen = new Set<string>();
  const queue: { name: string; origin: string | undefined }[] = files.map((name) => ({ name, origin: undefined }));
  while (queue.length > 0) {
    const { name, origin } = queue.shift()!;
    const common = bundled.get(name);
    if (common) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (common.options) root.setOptions(common.options);
      root.addJSON(common.nested ?? {});
      continue;
    }
    const candidates = candidatePaths(name, origin, includeDirs);
    if (candidates.some((candidate) => seen.has(candidate))) continue;
    const { file, source } = yield { name, candidates, importedBy: origin };
    seen.add(file);
    let parsed: protobuf.IParserResult;
    try {
      parseState.filename = file; // protobufjs stamps it on each reflection object (used to locate unresolved types)
      parsed = protobuf.parse(source, root, { keepCase: false });
    } catch (error) {
      const message = (error as Error).message;
      throw new DynamicProtoError(DynamicProtoErrorCode.SYNTAX, `${file} has a syntax error: ${message.replace(`${file}, `, '')}`, file, { cause: error });
    }
    for (const imported of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) queue.push({ name: imported, origin: file });
  }
  resolveOrName(root);
  return root;
}

/**
 * protobufjs's package folder: it ships the google/protobuf files it does not bundle as JSON (descriptor.proto, which
 * google/api/annotations.proto imports; api, type, source_context), found there when no include dir has them.
 */
const protobufjsDir = path.dirname(require.resolve('protobufjs/package.json'));

/**
 * Where `name` may be: as given when absolute; else each include dir, then the importing file's dir (or the cwd),
 * then, for google/protobuf/ files, protobufjs's own copy.
 */
function candidatePaths(name: string, origin: string | undefined, includeDirs: readonly string[]): string[] {
  if (path.isAbsolute(name)) return [path.normalize(name)];
  const bases = [...includeDirs, origin === undefined ? process.cwd() : path.dirname(origin)];
  if (name.startsWith('google/protobuf/')) bases.push(protobufjsDir);
  return [...new Set(bases.map((base) => path.resolve(base, name)))];
}

/** Resolves every type reference, type by type, so that a failure names the file that declared the failing one. */
function resolveOrName(root: protobuf.Root): void {
  // A failed resolveAll() is not retried by protobufjs (the object counts as resolved), so each is tried exactly once.
  resolveNested(root);
  try {
    root.resolveAll(); // what is left: extensions and options
  } catch (error) {
    throw unresolved(error, undefined);
  }
}

function resolveNested(namespace: protobuf.NamespaceBase): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type || nested instanceof protobuf.Service) {
      try {
        nested.resolveAll();
      } catch (error) {
        throw unresolved(error, nested.filename ?? undefined);
      }
    } else if (nested instanceof protobuf.Namespace) {
      resolveNested(nested);
    }
  }
}

function unresolved(error: unknown, file: string | undefined): DynamicProtoError {
  const where = file ? `${file}: ` : '';
  return new DynamicProtoError(DynamicProtoErrorCode.UNRESOLVED, `${where}${(error as Error).message}; define or import the missing type`, file, { cause: error });
}

function notFound(request: FileRequest): DynamicProtoError {
  const by = request.importedBy ? `, imported by ${request.importedBy},` : '';
  return new DynamicProtoError(DynamicProtoErrorCode.NOT_FOUND, `${request.name}${by} was not found (looked at ${request.candidates.join(', ')}); pass its directory in includeDirs`, request.name);
}

/** @internal Loads files synchronously. */
export function loadRootSync(files: readonly string[], includeDirs: readonly string[]): protobuf.Root {
  const walk = walkProtoFiles(files, includeDirs);
  let step = walk.next();
  while (!step.done) {
    const request = step.value;
    let found: FileSource | undefined;
    for (const file of request.candidates) {
      try {
        found = { file, source: readFileSync(file, 'utf8') };
        break;
      } catch {
        // try the next candidate
      }
    }
    if (!found) throw notFound(request);
    step = walk.next(found);
  }
  return step.value;
}

/** @internal Loads files, reading them without blocking. */
export async function loadRoot(files: readonly string[], includeDirs: readonly string[]): Promise<protobuf.Root> {
  const walk = walkProtoFiles(files, includeDirs);
  let step = walk.next();
  while (!step.done) {
    const request = step.value;
    let found: FileSource | undefined;
    for (const file of request.candidates) {
      try {
        found = { file, source: await readFile(file, 'utf8') };
        break;
      } catch {
        // try the next candidate
      }
    }
    if (!found) throw notFound(request);
    step = walk.next(found);
  }
  return step.value;
}
