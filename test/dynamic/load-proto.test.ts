// The dynamic loader on its own: definition shape, byte-for-byte agreement with ts-proto, and each failure class.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamicProtoError, DynamicProtoErrorCode, loadServiceDefinitions, loadServiceDefinitionsSync } from '../../src/internal';
import { EchoReply, EchoServiceDefinition } from '../../generated/echo/echo';
import { Payload, Sum } from '../../generated/test/testing';

const protoDir = path.join(__dirname, '../../proto');

describe('loadServiceDefinitions', () => {
  test('keys services by full name and methods lowerCamel, as ts-proto does', async () => {
    const services = await loadServiceDefinitions(['echo/echo.proto', 'test/testing.proto'], { includeDirs: [protoDir] });
    expect(Object.keys(services).sort()).toEqual(['echo.v1.EchoService', 'test.v1.TestService']);
    const echo = services['echo.v1.EchoService'];
    expect(echo.name).toBe(EchoServiceDefinition.name);
    expect(echo.fullName).toBe(EchoServiceDefinition.fullName);
    expect(Object.keys(echo.methods)).toEqual(Object.keys(EchoServiceDefinition.methods));
    for (const [key, method] of Object.entries(EchoServiceDefinition.methods)) {
      expect(echo.methods[key]).toMatchObject({ name: method.name, requestStream: method.requestStream, responseStream: method.responseStream });
    }
    const testing = services['test.v1.TestService'].methods;
    expect([testing.clientStream.requestStream, testing.clientStream.responseStream]).toEqual([true, false]);
    expect([testing.bidi.requestStream, testing.bidi.responseStream]).toEqual([true, true]);
  });

  test('the sync variant, and a path relative to the working directory', () => {
    const relative = path.relative(process.cwd(), path.join(protoDir, 'echo/echo.proto'));
    const services = loadServiceDefinitionsSync(relative);
    expect(Object.keys(services)).toEqual(['echo.v1.EchoService']);
  });
});

describe('dynamic codecs agree with ts-proto', () => {
  const services = loadServiceDefinitionsSync('test/testing.proto', { includeDirs: [protoDir] });
  const unary = services['test.v1.TestService'].methods.unary;
  const echo = loadServiceDefinitionsSync('echo/echo.proto', { includeDirs: [protoDir] })['echo.v1.EchoService'].methods.echo;

  test('same bytes out, same objects in (bytes as Buffer, snake_case as camelCase, defaults filled)', () => {
    const message = { body: Buffer.from([0, 1, 2, 255]), seq: 42 };
    const bytes = unary.requestType.encode(message).finish();
    expect(Buffer.from(bytes)).toEqual(Buffer.from(Payload.encode(message).finish()));
    const decoded = unary.responseType.decode(Payload.encode(message).finish());
    expect(decoded).toEqual(Payload.decode(bytes));
    expect(Buffer.isBuffer(decoded.body)).toBe(true);
    expect(unary.requestType.decode(new Uint8Array(0))).toEqual(Payload.decode(new Uint8Array(0)));
    const reply = echo.responseType.decode(EchoReply.encode({ text: 'hi', servedBy: 7 }).finish());
    expect(reply).toEqual({ text: 'hi', servedBy: 7 });
  });

  test('uint64 decodes as a number (forceLong=number)', () => {
    const sum = services['test.v1.TestService'].methods.clientStream.responseType;
    const decoded = sum.decode(Sum.encode({ total: 2 ** 40 + 3, count: 2 }).finish());
    expect(decoded).toEqual({ total: 2 ** 40 + 3, count: 2 });
  });
});

describe('bad input', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'framerpc-dynamic-'));
    writeFileSync(path.join(dir, 'syntax.proto'), 'syntax = "proto3";\npackage bad;\nmessage A { string a = 1 }\n');
    writeFileSync(path.join(dir, 'unresolved.proto'), 'syntax = "proto3";\npackage bad;\nmessage A { Missing a = 1; }\n');
    writeFileSync(path.join(dir, 'imports.proto'), 'syntax = "proto3";\nimport "nowhere/gone.proto";\npackage bad;\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('an unknown file is named, async and sync', async () => {
    const rejection = loadServiceDefinitions('no/such.proto', { includeDirs: [dir] });
    await expect(rejection).rejects.toThrow(DynamicProtoError);
    await expect(rejection).rejects.toMatchObject({ code: DynamicProtoErrorCode.NOT_FOUND, message: expect.stringContaining('no/such.proto') });
    expect(() => loadServiceDefinitionsSync('no/such.proto')).toThrow(/no\/such\.proto.*includeDirs/);
  });

  test('a missing import names the file that imports it', async () => {
    await expect(loadServiceDefinitions('imports.proto', { includeDirs: [dir] })).rejects.toMatchObject({
      code: DynamicProtoErrorCode.NOT_FOUND,
      message: expect.stringMatching(/nowhere\/gone\.proto, imported by .*imports\.proto/),
    });
  });

  test('a syntax error names the file and line', async () => {
    const file = path.join(dir, 'syntax.proto');
    await expect(loadServiceDefinitions(file)).rejects.toMatchObject({ code: DynamicProtoErrorCode.SYNTAX, file, message: expect.stringMatching(/syntax\.proto.*line 3/) });
    expect(() => loadServiceDefinitionsSync(file)).toThrow(/syntax\.proto/);
  });

  test('an undefined type names the file that uses it (and rejects, not crashes, when async)', async () => {
    const file = path.join(dir, 'unresolved.proto');
    await expect(loadServiceDefinitions(file)).rejects.toMatchObject({ code: DynamicProtoErrorCode.UNRESOLVED, file, message: expect.stringContaining('Missing') });
    expect(() => loadServiceDefinitionsSync(file)).toThrow(/unresolved\.proto/);
  });

  test('bad arguments', async () => {
    await expect(loadServiceDefinitions([])).rejects.toThrow(TypeError);
    expect(() => loadServiceDefinitionsSync('x.proto', { includeDirs: 'proto' as unknown as string[] })).toThrow(/includeDirs/);
  });

  test('encode rejects a mistyped field or an unknown key, naming it', () => {
    const services = loadServiceDefinitionsSync(['echo/echo.proto', 'test/testing.proto'], { includeDirs: [protoDir] });
    const stream = services['echo.v1.EchoService'].methods.echoStream.requestType;
    expect(() => stream.encode({ text: 'x', count: 'three' })).toThrow('invalid echo.v1.EchoStreamRequest: count: integer expected');
    expect(() => stream.encode({ text: 'x', cnt: 3 })).toThrow('invalid echo.v1.EchoStreamRequest: cnt: echo.v1.EchoStreamRequest has no such field');
    const payload = services['test.v1.TestService'].methods.unary.requestType;
    expect(() => payload.encode({ body: 5 })).toThrow(/body: buffer expected/);
    expect(() => payload.encode(null as never)).toThrow(DynamicProtoError);
  });
});
