// A cheap framerpc client for the broadcast cells: speaks the wire by hand instead of decoding protobuf.
// It exchanges the 12-byte preface (features 0: no compression, no XOR), subscribes with one
// PushControl.Subscribe CALL (and checks its STATUS is OK), posts with Chat.Post CALL frames (END_STREAM,
// request in the CALL frame, replies ignored), and for each PUSH frame reads the send time at a fixed
// offset of the ChatMessage text: no protobuf decode, no per-message allocation.
// The typed client (subscribePush) runs beside it on a sample of connections: framerpc-typed-client.ts.
import type * as net from 'node:net';
import { PostRequest } from '../../generated/chat/chat';
import { Topics } from '../../generated/framerpc/push/v1/push';
import { encodeCallHeader } from '../../src/rpc/call-header';
import { decodeCallStatus } from '../../src/rpc/call-status';
import { Status } from '../../src/rpc/status';
import { FRAME_HEADER_BYTES, FrameFlag, FrameKind } from '../../src/codec/wire';
import { connect, exchangePreface } from '../load/connect';
import type { BroadcastClient, DeliveryStats } from './delivery-stats';
import { FrameReader } from './frame-reader';
import { TEXT_BYTES, nowMicros, readStamp } from './payload';

const POST_METHOD = Buffer.from('/chat.v1.Chat/Post', 'latin1');
const SUBSCRIBE_METHOD = Buffer.from('/framerpc.push.v1.PushControl/Subscribe', 'latin1');
const MESSAGE_POSTED_TOPIC = '/chat.v1.ChatEvents/MessagePosted';
const SUBSCRIBE_CALL_ID = 1;
const SUBSCRIBE_TIMEOUT_MS = 10_000;
// ChatMessage with empty room and from: the text is field 3 (tag 0x1a), its length one varint byte (< 128).
const TEXT_TAG = 0x1a;

/** A frame header and payload in one buffer. */
function frame(kind: number, flags: number, streamId: number, payload: Uint8Array): Buffer {
  const bytes = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  bytes.writeUInt32BE(payload.length, 0);
  bytes[4] = kind;
  bytes[5] = flags;
  bytes.writeUInt32BE(streamId, 6);
  bytes.set(payload, FRAME_HEADER_BYTES);
  return bytes;
}

/** A unary CALL frame: the request travels in the CALL frame, END_STREAM set (no MESSAGE frame follows). */
function unaryCall(streamId: number, method: Buffer, request: Uint8Array): Buffer {
  return frame(FrameKind.CALL, FrameFlag.END_STREAM, streamId, encodeCallHeader(method, 0, undefined, request));
}

class RawFramerpcClient implements BroadcastClient {
  private readonly reader = new FrameReader(FRAME_HEADER_BYTES);
  private nextId = SUBSCRIBE_CALL_ID + 1;
  private closing = false;
  private onSubscribed: ((code: Status, details: string) => void) | undefined;
  private readonly onFrame = (buffer: Buffer, start: number, end: number): void => {
    const kind = buffer[start + 4];
    if (kind === FrameKind.PUSH) {
      const payload = start + FRAME_HEADER_BYTES;
      const message = payload + 1 + buffer[payload];
      if (buffer[message] !== TEXT_TAG || buffer[message + 1] !== TEXT_BYTES) this.stats.malformed++;
      else this.stats.record(readStamp(buffer, message + 2));
    } else if (kind === FrameKind.STATUS && this.onSubscribed && buffer.readUInt32BE(start + 6) === SUBSCRIBE_CALL_ID) {
      const status = decodeCallStatus(buffer.subarray(start + FRAME_HEADER_BYTES, end));
      this.onSubscribed(status.code, status.details);
      this.onSubscribed = undefined;
    } else if (kind === FrameKind.PING) {
      this.socket.write(frame(FrameKind.PONG, 0, 0, buffer.subarray(start + FRAME_HEADER_BYTES, end)));
    }
  };

  constructor(
    private readonly socket: net.Socket,
    private readonly stats: DeliveryStats,
    onClosed: () => void,
  ) {
    socket.on('error', () => {});
    socket.once('close', () => {
      if (!this.closing) onClosed();
    });
  }

  /** Preface, then Subscribe; resolves once the server answered the Subscribe with OK. */
  async start(): Promise<void> {
    const leftover = await exchangePreface(this.socket);
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    if (leftover.length > 0) this.read(leftover);
    this.socket.resume();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to PushControl.Subscribe within ${SUBSCRIBE_TIMEOUT_MS} ms`)), SUBSCRIBE_TIMEOUT_MS);
      this.onSubscribed = (code, details) => {
        clearTimeout(timer);
        if (code === Status.OK) resolve();
        else reject(new Error(`PushControl.Subscribe failed with status ${code}: ${details}`));
      };
      this.socket.write(unaryCall(SUBSCRIBE_CALL_ID, SUBSCRIBE_METHOD, Topics.encode({ topics: [MESSAGE_POSTED_TOPIC] }).finish()));
    });
  }

  post(text: string): void {
    this.socket.write(unaryCall(this.nextId++, POST_METHOD, PostRequest.encode({ room: '', text }).finish()));
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.stats.now = nowMicros();
    this.reader.push(chunk, this.onFrame);
  }
}

/** Opens one raw framerpc client, subscribed to MessagePosted once this resolves. */
export async function openRawFramerpcClient(port: number, stats: DeliveryStats, onClosed: () => void): Promise<BroadcastClient> {
  return openRawFramerpcClientOn(await connect(port), stats, onClosed);
}

/** The same on a connected byte stream of any kind (a WebSocket behind a socket's face: bench/websocket/). */
export async function openRawFramerpcClientOn(socket: net.Socket, stats: DeliveryStats, onClosed: () => void): Promise<BroadcastClient> {
  const client = new RawFramerpcClient(socket, stats, onClosed);
  try {
    await client.start();
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}
