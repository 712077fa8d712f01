// The dynamic path gives well-known types ts-proto's shapes, both ways, on the same bytes; descriptor.proto loads.
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createClient, createDynamicClient, createTestClient, DynamicProtoError, loadServiceDefinitionsSync } from '../../src';
import { WellKnown, WellKnownServiceDefinition } from '../../generated/test/well_known';
import { Empty } from '../../generated/google/protobuf/empty';

const protoDir = path.join(__dirname, '..', '..', 'proto');
const service = loadServiceDefinitionsSync('test/well_known.proto', { includeDirs: [protoDir] })['test.v1.WellKnownService'];
const dynamic = service.methods.echo.requestType;

/** A WellKnown with only `fields` set, the rest as ts-proto's fromPartial leaves them. */
const only = (fields: Partial<WellKnown>): WellKnown => ({ ...WellKnown.fromPartial({}), ...fields });

/** Same bytes out of both encoders, and the same object out of both decoders, for the ts-proto-shaped `message`. */
function expectBothPathsAgree(message: WellKnown): void {
  const generatedBytes = Buffer.from(WellKnown.encode(message).finish());
  expect(Buffer.from(dynamic.encode(message).finish())).toEqual(generatedBytes);
  const decoded = dynamic.decode(generatedBytes);
  expect(decoded).toEqual(WellKnown.decode(generatedBytes));
  expect(decoded).toEqual(message);
}

describe('well-known types on the dynamic path, against ts-proto', () => {
  test('Timestamp: a Date, repeated too; absent is undefined', () => {
    expectBothPathsAgree(only({ at: new Date('2026-12-01T09:30:00.123Z'), history: [new Date(0), new Date(1_000_000_001)] }));
    expect(dynamic.decode(new Uint8Array(0)).at).toBeUndefined();
    expect(dynamic.decode(WellKnown.encode(only({ at: new Date(5) })).finish()).at).toBeInstanceOf(Date);
  });

  test('Duration: { seconds, nanos }', () => {
    expectBothPathsAgree(only({ took: { seconds: 90, nanos: 500 } }));
    expectBothPathsAgree(only({ took: { seconds: 0, nanos: 0 } }));
  });

  test('Struct, Value and ListValue: plain JSON values, nested, with null, zero, false and empty strings', () => {
    expectBothPathsAgree(
      only({
        attributes: { name: 'ada', age: 36, admin: true, tags: ['a', 'b'], nested: { deep: null, list: [[1], {}] } },
        anything: [1, 'two', { three: 3 }],
        list: [null, false, 0, ''],
        labels: { a: 'x', b: { c: [1] }, n: null },
      }),
    );
    expectBothPathsAgree(only({ anything: null }));
    expectBothPathsAgree(only({ anything: 0 }));
    expectBothPathsAgree(only({ attributes: {}, list: [] }));
  });

  test('wrappers: the value itself, zero and empty values kept apart from absent (undefined)', () => {
    expectBothPathsAgree(
      only({ doubleValue: 1.5, floatValue: 0.25, int64Value: 2 ** 40, uint64Value: 7, int32Value: -3, uint32Value: 9, boolValue: true, stringValue: 'hi', bytesValue: Buffer.from('hi') }),
    );
    expectBothPathsAgree(only({ doubleValue: 0, int64Value: 0, int32Value: 0, boolValue: false, stringValue: '', bytesValue: Buffer.alloc(0) }));
    const absent = dynamic.decode(new Uint8Array(0));
    expect([absent.int32Value, absent.stringValue, absent.bytesValue]).toEqual([undefined, undefined, undefined]);
  });

  test('FieldMask: string[] of paths', () => {
    expectBothPathsAgree(only({ mask: ['user.display_name', 'photo'] }));
    expectBothPathsAgree(only({ mask: [] }));
  });

  test('Any: { typeUrl, value }; Empty: {}', () => {
    expectBothPathsAgree(only({ detail: { typeUrl: 'type.googleapis.com/test.v1.Payload', value: Buffer.from([1, 2, 3]) }, nothing: {} }));
    const ping = service.methods.ping;
    expect(Buffer.from(ping.requestType.encode({}).finish())).toEqual(Buffer.from(Empty.encode({}).finish()));
    expect(ping.responseType.decode(new Uint8Array(0))).toEqual(Empty.decode(new Uint8Array(0)));
  });

  test('everything at once, and the caller’s object is left as it was', () => {
    const message = only({
      at: new Date(1_700_000_000_000),
      attributes: { k: [true] },
      mask: ['a'],
      int32Value: 1,
      labels: { x: 1 },
      detail: { typeUrl: 't', value: Buffer.from([9]) },
    });
    const before = structuredClone(message);
    expectBothPathsAgree(message);
    expect(message).toEqual(before);
  });

  test('what ts-proto cannot encode is refused naming the field', () => {
    expect(() => dynamic.encode({ at: '2026-01-01' })).toThrow(DynamicProtoError);
    expect(() => dynamic.encode({ at: '2026-01-01' })).toThrow(/at: a google\.protobuf\.Timestamp must be a Date/);
    expect(() => dynamic.encode({ attributes: { f: () => 1 } })).toThrow(/attributes: a google\.protobuf\.Value cannot hold a function/);
    expect(() => dynamic.encode({ mask: 'a,b' })).toThrow(/mask: a google\.protobuf\.FieldMask must be a string\[\]/);
  });

  test('over the wire: a generated client calls a dynamic server and gets Dates and JSON back', async () => {
    const t = await createTestClient(service, { echo: (request: WellKnown) => request, ping: () => ({}) });
    try {
      const client = createClient(WellKnownServiceDefinition, t.channel);
      const reply = await client.echo({ at: new Date(42), attributes: { a: [1, null] }, stringValue: 'x' });
      expect(reply).toEqual(only({ at: new Date(42), attributes: { a: [1, null] }, stringValue: 'x' }));
      const dynamicReply = await createDynamicClient(service, t.channel).echo({ mask: ['p'], uint64Value: 3 });
      expect(dynamicReply).toEqual(only({ mask: ['p'], uint64Value: 3 }));
    } finally {
      await t.close();
    }
  });
});

describe('google/protobuf/descriptor.proto', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'framerpc-descriptor-'));
    // What google/api/annotations.proto does: extend MethodOptions, then use the option on a method.
    writeFileSync(
      path.join(dir, 'annotated.proto'),
      `syntax = "proto3";
package annotated.v1;
import "google/protobuf/descriptor.proto";
message HttpRule { string get = 1; }
extend google.protobuf.MethodOptions { HttpRule http = 72295728; }
message GetRequest { string name = 1; }
service Annotated {
  rpc Get(GetRequest) returns (GetRequest) { option (annotated.v1.http) = { get: "/v1/{name}" }; }
}
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('loads without being in an include dir, as protoc and ts-proto find it', () => {
    const services = loadServiceDefinitionsSync('annotated.proto', { includeDirs: [dir] });
    const get = services['annotated.v1.Annotated'].methods.get;
    expect(get.requestType.decode(get.requestType.encode({ name: 'shelves/1' }).finish())).toEqual({ name: 'shelves/1' });
  });
});
