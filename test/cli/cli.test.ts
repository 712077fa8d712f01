// The framerpc CLI as a child process against real servers: list, describe, call (all four kinds), health, TLS, errors.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RpcServer } from '../../src';
import { ServingStatus, addHealthService } from '../../src/health';
import { addReflectionService } from '../../src/reflection';
import { EchoHandler } from '../../examples/echo/echo-handler';
import { TestServiceDefinition, defaultHandlers, recordingLogger } from '../rpc/harness';
import { prepareCli, type CliUnderTest } from './cli-process';

const PROTO_DIR = path.join(__dirname, '..', '..', 'proto');
const XOR_KEY = 'not-a-secret';

let cli: CliUnderTest;
let plain: RpcServer;
let secure: RpcServer;
let certDir: string;
let address: string;
let secureAddress: string;

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
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'framerpc-cli-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem'),
    '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'pipe' });
  plain = startServer({});
  secure = startServer({
    tls: { key: fs.readFileSync(path.join(certDir, 'key.pem')), cert: fs.readFileSync(path.join(certDir, 'cert.pem')) },
    xorKey: Buffer.from(XOR_KEY),
  });
  address = `127.0.0.1:${(await plain.listen(0)).port}`;
  secureAddress = `127.0.0.1:${(await secure.listen(0)).port}`;
});

afterAll(async () => {
  await Promise.all([plain?.close(0), secure?.close(0)]);
  if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
});

describe('framerpc CLI', () => {
  it('list prints every service the server serves, one per line', async () => {
    const result = await cli.run(['list', address]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['echo.v1.EchoService', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'test.v1.TestService']);
  });

  it('describe prints the methods and the message types they use', async () => {
    const [result, method, usage] = await Promise.all([
      cli.run(['describe', address, 'echo.v1.EchoService']),
      cli.run(['describe', address, 'test.v1.TestService.ClientStream']),
      cli.run(['describe', address]),
    ]);
    expect(method.stdout).toBe('rpc ClientStream(stream test.v1.Payload) returns (test.v1.Sum); // in test.v1.TestService\n\nmessage test.v1.Payload {\n  bytes body = 1;\n  uint32 seq = 2;\n}\n\nmessage test.v1.Sum {\n  uint64 total = 1;\n  uint32 count = 2;\n}\n');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("error: missing required argument 'symbol'");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('service echo.v1.EchoService {\n  rpc Echo(echo.v1.EchoRequest) returns (echo.v1.EchoReply);\n  rpc EchoStream(echo.v1.EchoStreamRequest) returns (stream echo.v1.EchoReply);');
    expect(result.stdout).toContain('message echo.v1.EchoReply {\n  string text = 1;\n  uint32 servedBy = 2;\n}');
  });

  it('call prints a unary response as JSON, and a server stream as one JSON line per message', async () => {
    const [unary, stream] = await Promise.all([
      cli.run(['call', address, 'echo.v1.EchoService/Echo', '{"text":"hi"}']),
      cli.run(['call', address, 'echo.v1.EchoService/EchoStream', '{"text":"tick","count":3}']),
    ]);
    expect(unary.stderr).toBe('');
    expect(JSON.parse(unary.stdout)).toEqual({ text: 'hi', servedBy: expect.any(Number) });
    expect(stream.status).toBe(0);
    expect(stream.stdout.trim().split('\n').map((line) => JSON.parse(line).text)).toEqual(['tick #1', 'tick #2', 'tick #3']);
  });

  it('call reads client and bidi streams as newline-delimited JSON from stdin', async () => {
    const stdin = '{"seq":1}\n{"seq":2}\n\n{"seq":4,"body":"aGk="}\n';
    const [sum, bidi] = await Promise.all([
      cli.run(['call', address, 'test.v1.TestService/ClientStream'], { stdin }),
      cli.run(['call', address, 'test.v1.TestService/Bidi'], { stdin }),
    ]);
    expect(sum.stderr).toBe('');
    expect(JSON.parse(sum.stdout)).toEqual({ total: '7', count: 3 }); // int64 as a string: the proto3 JSON mapping

    expect(bidi.status).toBe(0);
    expect(bidi.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { body: '', seq: 1 },
      { body: '', seq: 2 },
      { body: 'aGk=', seq: 4 },
    ]);
  });

  it('sends -H metadata, and on an error prints the status name and message and exits non-zero', async () => {
    const [me, refused, typo] = await Promise.all([
      cli.run(['call', address, 'echo.v1.EchoService/WhoAmI', '-H', 'user=ada']),
      cli.run(['call', address, 'echo.v1.EchoService/WhoAmI']),
      cli.run(['call', address, 'echo.v1.EchoService/Echo', '{"txt":"hi"}']),
    ]);
    expect(me.status).toBe(0);
    expect(JSON.parse(me.stdout)).toEqual({ user: 'ada', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });

    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^ERROR: UNAUTHENTICATED: .*send your name in the "user" metadata\n$/);

    expect(typo.status).toBe(1);
    expect(typo.stderr).toMatch(/^ERROR: INVALID_ARGUMENT: .*txt: echo.v1.EchoRequest has no such field/);
  });

  it('health prints SERVING with exit status 0, NOT_SERVING with a non-zero one', async () => {
    const [server, echo, test, unknown] = await Promise.all([
      cli.run(['health', address]),
      cli.run(['health', address, 'echo.v1.EchoService']),
      cli.run(['health', address, 'test.v1.TestService']),
      cli.run(['health', address, 'no.Such']),
    ]);
    expect([server.status, server.stdout]).toEqual([0, 'SERVING\n']);
    expect([echo.status, echo.stdout]).toEqual([0, 'SERVING\n']);
    expect([test.status, test.stdout]).toEqual([1, 'NOT_SERVING\n']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND');
  });

  it('connects with TLS (--ca) and the XOR key, and fails clearly without the key', async () => {
    const ca = path.join(certDir, 'cert.pem');
    const [result, health, noKey] = await Promise.all([
      cli.run(['call', secureAddress, 'echo.v1.EchoService/Echo', '{"text":"over tls"}', '--ca', ca, '--servername', 'localhost', '--xor-key', XOR_KEY]),
      cli.run(['health', secureAddress, '--ca', ca, '--xor-key', XOR_KEY]),
      cli.run(['health', secureAddress, '--ca', ca, '--timeout', '2000']),
    ]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).text).toBe('over tls');
    expect([health.status, health.stdout]).toEqual([0, 'SERVING\n']);
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toContain('UNAVAILABLE');
  });

  it('uses local .proto files with --proto instead of reflection', async () => {
    const [result, list] = await Promise.all([
      cli.run(['call', address, 'test.v1.TestService/ServerStream', '{"seq":2,"body":"eA=="}', '--proto', PROTO_DIR]),
      cli.run(['list', address, '--proto', path.join(PROTO_DIR, 'echo')]),
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('{"body":"eA==","seq":0}\n{"body":"eA==","seq":1}\n');
    expect(list.stdout).toBe('echo.v1.EchoService\n');
  });
});
