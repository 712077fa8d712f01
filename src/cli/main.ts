#!/usr/bin/env node
// The `framerpc` command: generate an app's stubs; list, describe, call and health-check a framerpc server from a shell.
import { Command, CommanderError } from 'commander';
import { RpcError } from '../rpc/rpc-error';
import { callCommand, describeCommand, ExitStatus, healthCommand, listCommand, type CommandIo } from './commands';
import { UsageError, type ConnectionFlags } from './connection-options';
import { generate, type GenFlags } from './gen-command';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds the options every command takes. */
function withConnectionOptions(command: Command): Command {
  return command
    .option('-H, --header <key=value>', 'metadata sent with the call (repeatable)', collect, [])
    .option('--timeout <ms>', 'deadline of the call, and of connecting, in milliseconds (0: no deadline)', '10000')
    .option('--tls', 'connect with TLS, trusting the system CAs (implied by --ca, --cert, --key)')
    .option('--ca <file>', 'PEM file of the CA to trust (TLS)')
    .option('--cert <file>', 'PEM file of the client certificate (TLS)')
    .option('--key <file>', 'PEM file of the client key (TLS)')
    .option('--servername <name>', 'name the server certificate must have (TLS; default: the host)')
    .option('--xor-key <key>', "the server's XOR obfuscation key, as UTF-8 (obfuscation, not encryption)")
    .option('--proto <dir>', 'use the .proto files under <dir> instead of server reflection');
}

/** Builds the program; `run` receives each command's promise of an exit status. */
export function buildProgram(io: CommandIo, run: (status: Promise<number>) => void): Command {
  const program = new Command('framerpc')
    .description('Generate typed stubs from .proto files; talk to a framerpc server: list and describe its services (server reflection), call methods with JSON, check health.')
    .showHelpAfterError()
    // Usage mistakes exit 2 (as framerpc's own UsageError does), help 0; commander has printed what went wrong.
    .exitOverride((error) => {
      throw error;
    });
  program
    .command('gen')
    .description("compile the app's .proto files to TypeScript (buf and ts-proto with the options framerpc needs; no buf.yaml or protoc needed)")
    .option('--proto <dir>', 'directory of the .proto files, their import root', 'proto')
    .option('--out <dir>', 'directory the TypeScript goes to', 'generated')
    .option('--clean', 'empty the output directory first')
    .option('--esm', 'end relative imports in .js (for apps compiled as ES modules, module nodenext)')
    .action((flags: GenFlags) =>
      run(
        generate(flags).then((out) => {
          io.stdout.write(`generated ${out}\n`);
          return ExitStatus.OK;
        }),
      ),
    );
  withConnectionOptions(program.command('list').argument('<address>', 'host:port').description('list the services the server serves')).action((address: string, flags: ConnectionFlags) =>
    run(listCommand(io, address, flags)),
  );
  withConnectionOptions(
    program
      .command('describe')
      .argument('<address>', 'host:port')
      .argument('<symbol>', 'a service (echo.v1.EchoService), message or enum')
      .description('print a service with its methods and message types, or one type'),
  ).action((address: string, symbol: string, flags: ConnectionFlags) => run(describeCommand(io, address, symbol, flags)));
  withConnectionOptions(
    program
      .command('call')
      .argument('<address>', 'host:port')
      .argument('<method>', 'SERVICE/METHOD, e.g. echo.v1.EchoService/Echo')
      .argument('[json]', 'the request as JSON (default {}); client and bidi streams read one JSON request per line from stdin, or send this one')
      .description('call a method and print the response as JSON (a server stream: one JSON line per message)'),
  ).action((address: string, method: string, json: string | undefined, flags: ConnectionFlags) => run(callCommand(io, address, method, json, flags)));
  withConnectionOptions(
    program
      .command('health')
      .argument('<address>', 'host:port')
      .argument('[service]', 'the service to check (default: the whole server)')
      .description('print SERVING or NOT_SERVING; exit status 0 only when serving'),
  ).action((address: string, service: string | undefined, flags: ConnectionFlags) => run(healthCommand(io, address, service, flags)));
  return program;
}

/** Prints an error the way a shell user wants it: the status name and message, no stack. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitStatus.OK : ExitStatus.USAGE; // already printed
  if (error instanceof RpcError) {
    stderr.write(`ERROR: ${error.codeName}: ${error.message}\n`);
    return ExitStatus.FAILED;
  }
  if (error instanceof UsageError) {
    stderr.write(`error: ${error.message}\n`);
    return ExitStatus.USAGE;
  }
  stderr.write(`ERROR: ${(error as Error)?.message ?? String(error)}\n`);
  return ExitStatus.FAILED;
}

function main(): void {
  const io: CommandIo = { stdout: process.stdout, stdin: process.stdin };
  const program = buildProgram(io, (status) => {
    status.then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        process.exitCode = reportError(error, process.stderr);
      },
    );
  });
  try {
    program.parse(process.argv);
  } catch (error) {
    process.exitCode = reportError(error, process.stderr);
  }
}

if (require.main === module) main();
