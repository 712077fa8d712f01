// The framerpc CLI as a child process against real servers: list, describe, call (all four kinds), health, TLS, errors.
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RpcServer } from '../../src';
import { ServingStatus, addHealthService } from '../../src/health';
import { addReflectionService } from '../../src/reflection';
import { EchoHandler } from '../../examples/echo/echo-handler';
import { TestServiceDefinition, defaultHandlers, recordingLogger } from '../rpc/harness';
import { prepareCli, type CliResult, type CliUnderTest } from './cli-process';
import { makeTestCertificate } from '../support/test-certificate';

const PROTO_DIR = path.join(__dirname, '..', '..', 'proto');
const XOR_KEY = 'not-a-secret';

let cli: CliUnderTest;
let plain: RpcServer;
let secure: RpcServer;
let mutual: RpcServer;
let mutualAddress: string;
let certDir: string;
let address: string;
let secureAddress: string;
const results = new Map<string, Promise<CliResult>>();

const STDIN = '{"seq":1}\n{"seq":2}\n\n{"seq":4,"body":"aGk="}\n';
const ca = (): string => path.join(certDir, 'cert.pem');

/** The CLI runs of this file, by name: arguments (and stdin), made once the servers listen. */
const RUNS: Record<string, () => [string[], { stdin?: string }?]> = {
  list: () => [['list', address]],
  describeService: () => [['describe', address, 'echo.v1.EchoService']],
  describeMethod: () => [['describe', address, 'test.v1.TestService.ClientStream']],
  describeNoSymbol: () => [['describe', address]],
  unary: () => [['call', address, 'echo.v1.EchoService/Echo', '{"text":"hi"}']],
  serverStream: () => [['call', address, 'echo.v1.EchoService/EchoStream', '{"text":"tick","count":3}']],
  clientStream: () => [['call', address, 'test.v1.TestService/ClientStream'], { stdin: STDIN }],
  bidi: () => [['call', address, 'test.v1.TestService/Bidi'], { stdin: STDIN }],
  bidiOneArgument: () => [['call', address, 'test.v1.TestService/Bidi', '{"seq":9}', '--timeout', '0']],
  withMetadata: () => [['call', address, 'echo.v1.EchoService/WhoAmI', '-H', 'user=ada']],
  refused: () => [['call', address, 'echo.v1.EchoService/WhoAmI']],
  typo: () => [['call', address, 'echo.v1.EchoService/Echo', '{"txt":"hi"}']],
  healthServer: () => [['health', address]],
  healthTest: () => [['health', address, 'test.v1.TestService']],
  healthUnknown: () => [['health', address, 'no.Such']],
  tlsCall: () => [['call', secureAddress, 'echo.v1.EchoService/Echo', '{"text":"over tls"}', '--ca', ca(), '--servername', 'localhost', '--xor-key', XOR_KEY]],
  tlsNoKey: () => [['health', secureAddress, '--ca', ca(), '--timeout', '2000']],
  mutualTls: () => [['health', mutualAddress, '--ca', ca(), '--cert', ca(), '--key', path.join(certDir, 'key.pem')]],
  mutualTlsNoCert: () => [['health', mutualAddress, '--ca', ca(), '--timeout', '2000']],
  protoCall: () => [['call', address, 'test.v1.TestService/ServerStream', '{"seq":2,"body":"eA=="}', '--proto', PROTO_DIR]],
  protoList: () => [['list', address, '--proto', path.join(PROTO_DIR, 'echo')]],
};

function result(name: keyof typeof RUNS): Promise<CliResult> {
  const run = results.get(name as string);
  if (!run) throw new Error(`no CLI run named ${String(name)}`);
  return run;
}

function startServer(options: ConstructorParameters<typeof RpcServer>[0]): RpcServer {
  const server = new RpcServer({ logger: recordingLogger(), ...options });
  server.add(EchoHandler);
  server.addService(TestServiceDefinition, defaultHandlers());
  addHealthService(server, { statuses: { '': ServingStatus.SERVING, 'echo.v1.EchoService': ServingStatus.SERVING, 'test.v1.TestService': ServingStatus.NOT_SERVING } });
  addReflectionService(server, { protoFiles: ['echo/echo.proto', 'test/testing.proto'], includeDirs: [PROTO_DIR] });
  return server;
}

beforeAll(async () => {
  cli = prepareCli();
  certDir = makeTestCertificate('framerpc-cli-tls-', 'ec').dir;
  plain = startServer({});
  secure = startServer({
    tls: { key: fs.readFileSync(path.join(certDir, 'key.pem')), cert: fs.readFileSync(path.join(certDir, 'cert.pem')) },
    xorKey: Buffer.from(XOR_KEY),
  });
  const pem = (name: string): Buffer => fs.readFileSync(path.join(certDir, name));
  // Mutual TLS: the server asks for a client certificate signed by the test CA (the same self-signed one).
  mutual = startServer({ tls: { key: pem('key.pem'), cert: pem('cert.pem'), ca: pem('cert.pem'), requestCert: true, rejectUnauthorized: true } });
  mutualAddress = `127.0.0.1:${(await mutual.listen(0)).port}`;
  address = `127.0.0.1:${(await plain.listen(0)).port}`;
  secureAddress = `127.0.0.1:${(await secure.listen(0)).port}`;
  // Every run starts now, four at a time (they are independent): the tests below await their results.
  for (const [name, make] of Object.entries(RUNS)) {
    const [args, options] = make();
    results.set(name, cli.run(args, options));
  }
});

afterAll(async () => {
  await Promise.allSettled(results.values()); // no child outlives the servers
  await Promise.all([plain?.close(0), secure?.close(0), mutual?.close(0)]);
  if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
});

describe('framerpc CLI', () => {
  it('list prints every service the server serves, one per line', async () => {
    const list = await result('list');
    expect(list.stderr).toBe('');
    expect(list.status).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual(['echo.v1.EchoService', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'test.v1.TestService']);
  });

  it('describe prints a service or a method with the message types they use', async () => {
    const service = await result('describeService');
    expect(service.status).toBe(0);
    expect(service.stdout).toContain(
      'service echo.v1.EchoService {\n  rpc Echo(echo.v1.EchoRequest) returns (echo.v1.EchoReply);\n  rpc EchoStream(echo.v1.EchoStreamRequest) returns (stream echo.v1.EchoReply);',
    );
    expect(service.stdout).toContain('message echo.v1.EchoReply {\n  string text = 1;\n  uint32 servedBy = 2;\n}');
    expect((await result('describeMethod')).stdout).toBe(
      'rpc ClientStream(stream test.v1.Payload) returns (test.v1.Sum); // in test.v1.TestService\n\nmessage test.v1.Payload {\n  bytes body = 1;\n  uint32 seq = 2;\n}\n\nmessage test.v1.Sum {\n  uint64 total = 1;\n  uint32 count = 2;\n}\n',
    );
    const usage = await result('describeNoSymbol');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("error: missing required argument 'symbol'");
  });

  it('call prints a unary response as JSON, and a server stream as one JSON line per message', async () => {
    const unary = await result('unary');
    expect(unary.stderr).toBe('');
    expect(JSON.parse(unary.stdout)).toEqual({ text: 'hi', servedBy: expect.any(Number) });
    const stream = await result('serverStream');
    expect(stream.status).toBe(0);
    expect(
      stream.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).text),
    ).toEqual(['tick #1', 'tick #2', 'tick #3']);
  });

  it('call reads client and bidi streams as newline-delimited JSON from stdin', async () => {
    const sum = await result('clientStream');
    expect(sum.stderr).toBe('');
    expect(JSON.parse(sum.stdout)).toEqual({ total: '7', count: 3 }); // int64 as a string: the proto3 JSON mapping
    const bidi = await result('bidi');
    expect(bidi.status).toBe(0);
    expect(
      bidi.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { body: '', seq: 1 },
      { body: '', seq: 2 },
      { body: 'aGk=', seq: 4 },
    ]);
    const one = await result('bidiOneArgument'); // the argument as the only request; no deadline
    expect([one.status, one.stdout]).toEqual([0, '{"body":"","seq":9}\n']);
  });

  it('sends -H metadata, and on an error prints the status name and message and exits non-zero', async () => {
    const me = await result('withMetadata');
    expect(me.status).toBe(0);
    expect(JSON.parse(me.stdout)).toEqual({ user: 'ada', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });

    const refused = await result('refused');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^ERROR: UNAUTHENTICATED: .*send your name in the "user" metadata\n$/);

    const typo = await result('typo');
    expect(typo.status).toBe(1);
    expect(typo.stderr).toMatch(/^ERROR: INVALID_ARGUMENT: .*txt: echo.v1.EchoRequest has no such field/);
  });

  it('health prints SERVING with exit status 0, NOT_SERVING with a non-zero one', async () => {
    const [server, test, unknown] = await Promise.all([result('healthServer'), result('healthTest'), result('healthUnknown')]);
    expect([server.status, server.stdout]).toEqual([0, 'SERVING\n']);
    expect([test.status, test.stdout]).toEqual([1, 'NOT_SERVING\n']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND');
  });

  it('connects with TLS (--ca) and the XOR key, and fails clearly without the key', async () => {
    const call = await result('tlsCall');
    expect(call.stderr).toBe('');
    expect(JSON.parse(call.stdout).text).toBe('over tls');
    const noKey = await result('tlsNoKey');
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toContain('UNAVAILABLE');
  });

  it('presents a client certificate with --cert and --key (mutual TLS)', async () => {
    const withCert = await result('mutualTls');
    expect([withCert.status, withCert.stdout, withCert.stderr]).toEqual([0, 'SERVING\n', '']);
    const without = await result('mutualTlsNoCert');
    expect(without.status).toBe(1);
    expect(without.stderr).toContain('UNAVAILABLE');
  });

  it('uses local .proto files with --proto instead of reflection', async () => {
    const call = await result('protoCall');
    expect(call.stderr).toBe('');
    expect(call.stdout).toBe('{"body":"eA==","seq":0}\n{"body":"eA==","seq":1}\n');
    expect((await result('protoList')).stdout).toBe('echo.v1.EchoService\n');
  });
});
