// Property, over a real socket: CALL frames with arbitrary or damaged payloads each get exactly one STATUS
// on their call id, with the code the payload deserves (INVALID_ARGUMENT, UNIMPLEMENTED or OK), and the
// connection stays open through all of them.
import * as fc from 'fast-check';
import { EchoReply, EchoRequest } from '../../generated/echo/echo';
import { decodeCallHeader, encodeCallHeader } from '../../src/rpc/call-header';
import { decodeCallStatus } from '../../src/rpc/call-status';
import { Status, statusName } from '../../src/rpc/status';
import type { RpcServer } from '../../src';
import { FrameFlag, FrameKind, encodePreface } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';
import { FRAME_HEADER_BYTES, PROTOCOL_VERSION, Role } from '../../src/codec/wire';
import { startConformanceServer } from '../conformance/conformance-server';
import { VectorPeer } from '../conformance/vector-peer';
import { asBuffer, same, validOrMutated } from '../property-helpers';
import { metadataArb } from '../rpc/rpc-arbitraries';

const ECHO = '/echo.v1.EchoService/Echo';
const OTHER_METHODS = ['/echo.v1.EchoService/EchoStream', '/echo.v1.EchoService/WhoAmI'];

const callPayloadArb = fc
  .record({ text: fc.string({ maxLength: 20 }), metadata: fc.option(metadataArb, { nil: undefined }), timeoutMs: fc.constantFrom(0, 60_000) })
  .map(({ text, metadata, timeoutMs }) => encodeCallHeader(Buffer.from(ECHO, 'latin1'), timeoutMs, metadata, EchoRequest.encode({ text }).finish()));

/** What the EchoService test server must answer to this CALL payload; undefined when the mutation reached another method. */
function deserved(payload: Buffer): { code: Status; text?: string } | undefined {
  let header;
  try {
    header = decodeCallHeader(payload);
  } catch {
    return { code: Status.INVALID_ARGUMENT };
  }
  if (OTHER_METHODS.includes(header.method)) return undefined;
  if (header.method !== ECHO) return { code: Status.UNIMPLEMENTED };
  if (!header.message) return { code: Status.INVALID_ARGUMENT };
  try {
    return { code: Status.OK, text: EchoRequest.decode(header.message).text };
  } catch {
    return { code: Status.INVALID_ARGUMENT };
  }
}

describe('Dispatcher: CALL payloads of any shape', () => {
  let server: RpcServer;
  let peer: VectorPeer;
  beforeAll(async () => {
    let port: number;
    ({ server, port } = await startConformanceServer({}));
    peer = await VectorPeer.connect(port, Buffer.from(encodePreface({ version: PROTOCOL_VERSION, features: 0, role: Role.CLIENT, connectionWindow: 1 << 20, streamWindow: 1 << 16, keyCheck: 0 })));
    await peer.until(() => peer.preface, 'the server preface');
  });
  afterAll(async () => {
    await peer?.destroy();
    await server?.close(0);
  });

  it('each gets one STATUS with the code it deserves; the connection stays open', async () => {
    let id = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(validOrMutated(callPayloadArb), fc.uint8Array({ maxLength: 40 }).map(asBuffer)), async (payload) => {
        id++;
        const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
        writeFrameHeader(frame, 0, payload.length, FrameKind.CALL, FrameFlag.END_STREAM, id);
        payload.copy(frame, FRAME_HEADER_BYTES);
        const from = peer.frames.length;
        peer.write(frame);
        const reply = await peer.until(() => peer.frames.slice(from).find((f) => f.streamId === id && f.kind !== FrameKind.MESSAGE), `the STATUS of call ${id}`);
        const wanted = deserved(payload);
        const status = decodeCallStatus(reply.payload);
        const got = `${reply.kind} ${statusName(status.code)} ${status.code === Status.OK ? EchoReply.decode(status.message ?? Buffer.alloc(0)).text : ''}`;
        if (wanted) same(got, `${FrameKind.STATUS} ${statusName(wanted.code)} ${wanted.text ?? ''}`);
        same(`${peer.ended} ${peer.frames.slice(from).filter((f) => f.streamId === id && f.kind !== FrameKind.MESSAGE).length}`, 'false 1');
      }),
      { numRuns: 400 },
    );
    expect(peer.frames.filter((f) => f.kind === FrameKind.GOAWAY)).toEqual([]);
  });
});
