// `framerpc gen`: compiles an app's .proto files to TypeScript with buf and ts-proto, as framerpc needs them.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { framerpcProtoDir, FRAMERPC_PROTO_FILES } from '../reflection/framerpc-protos';
import { UsageError } from './connection-options';

/**
 * The ts-proto options framerpc's client, server and push hub rely on. `outputServices=generic-definitions` is the
 * one that matters most: it writes the `...Definition` objects createClient and addService take (ts-proto's default
 * service output has no `methods`). The others fix the message shapes the runtime and the dynamic path assume.
 */
export const TS_PROTO_OPTIONS: readonly string[] = ['outputServices=generic-definitions', 'env=node', 'esModuleInterop=true', 'useExactTypes=false', 'outputJsonMethods=true', 'forceLong=number'];

export interface GenFlags {
  /** Directory of the app's .proto files (the import root, as protoc's -I). Default `proto`. */
  proto?: string;
  /** Directory the TypeScript goes to. Default `generated`. */
  out?: string;
  /** Empty the output directory first, so files of deleted .proto files go too. Default false. */
  clean?: boolean;
  /** Write relative imports with a `.js` suffix, as Node's ESM resolution (module nodenext) needs. Default false. */
  esm?: boolean;
}

/** Where the tools run from: framerpc's own install, so the app needs neither buf nor ts-proto nor protoc. */
export interface GenTools {
  readonly node: string;
  readonly buf: string;
  readonly tsProtoPlugin: string;
}

/** @internal buf and ts-proto as framerpc's dependencies resolve them. */
export function genTools(): GenTools {
  return {
    node: process.execPath,
    buf: require.resolve('@bufbuild/buf/bin/buf'),
    tsProtoPlugin: require.resolve('ts-proto/protoc-gen-ts_proto'),
  };
}

/**
 * Generates `flags.out` from the .proto files under `flags.proto` (relative to `cwd`). framerpc's own protos
 * (framerpc/push/v1/push.proto, grpc/health/v1/health.proto, grpc/reflection/v1/reflection.proto) can be imported;
 * they are not generated into the app: generated code imports their types from the framerpc package
 * (`framerpc/push/v1/push`). Resolves with the output directory; rejects with a UsageError for a missing proto
 * directory, or an Error carrying buf's own message.
 */
export async function generate(flags: GenFlags, cwd: string = process.cwd(), tools: GenTools = genTools()): Promise<string> {
  const protoDir = path.resolve(cwd, flags.proto ?? 'proto');
  const outDir = path.resolve(cwd, flags.out ?? 'generated');
  if (!existsSync(protoDir) || !statSync(protoDir).isDirectory()) throw new UsageError(`${protoDir} is not a directory of .proto files (pass --proto DIR)`);
  const ownProtos = framerpcProtoDir();
  // framerpc's own repository generates its protos itself; any other app imports them from the package.
  const isFramerpc = ownProtos !== undefined && realpathSync(ownProtos) === realpathSync(protoDir);
  const workspace = mkdtempSync(path.join(tmpdir(), 'framerpc-gen-'));
  try {
    // buf.yaml modules must be folders inside the workspace, so the two proto roots are linked into it.
    symlinkSync(protoDir, path.join(workspace, 'app'), 'junction');
    const modules = ['app'];
    if (!isFramerpc && ownProtos !== undefined) {
      symlinkSync(ownProtos, path.join(workspace, 'framerpc'), 'junction');
      modules.push('framerpc');
    }
    writeFileSync(path.join(workspace, 'buf.yaml'), bufYaml(modules));
    writeFileSync(path.join(workspace, 'buf.gen.yaml'), bufGenYaml(tools, outDir, pluginOptions(flags, isFramerpc), flags.clean === true));
    await run(tools.node, [tools.buf, 'generate', 'app'], workspace);
    return outDir;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** ts-proto's options: framerpc's, the ESM suffix if asked, and a mapping of framerpc's own files to the package. */
function pluginOptions(flags: GenFlags, isFramerpc: boolean): string[] {
  const options = [...TS_PROTO_OPTIONS];
  if (flags.esm) options.push('importSuffix=.js');
  if (!isFramerpc) for (const file of FRAMERPC_PROTO_FILES) options.push(`M${file}=${packageModuleOf(file)}`);
  return options;
}

/** The package export holding a framerpc proto's generated code: framerpc/push/v1/push.proto -> `framerpc/push/v1/push`. */
export function packageModuleOf(file: string): string {
  return `framerpc/${file.replace(/^framerpc\//, '').replace(/\.proto$/, '')}`;
}

function bufYaml(modules: readonly string[]): string {
  return ['version: v2', 'modules:', ...modules.map((module) => `  - path: ${module}`), ''].join('\n');
}

function bufGenYaml(tools: GenTools, outDir: string, options: readonly string[], clean: boolean): string {
  return [
    '# Written by framerpc gen for one run.',
    'version: v2',
    `clean: ${clean}`,
    'plugins:',
    `  - local: [${JSON.stringify(tools.node)}, ${JSON.stringify(tools.tsProtoPlugin)}]`,
    `    out: ${JSON.stringify(outDir)}`,
    '    opt:',
    ...options.map((option) => `      - ${JSON.stringify(option)}`),
    '',
  ].join('\n');
}

function run(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      // buf names the file and line of a .proto mistake on stderr; the temporary workspace's names mean nothing to the user.
      const message = String(stderr).trim().replaceAll(`app${path.sep}`, '') || error.message;
      reject(new Error(`buf generate failed: ${message}`));
    });
  });
}
