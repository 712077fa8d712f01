// WebSocketByteStream over a recording port: message sizes, corking, backpressure and drain, pausing, text messages, close order.
import { WEBSOCKET_MAX_SEND_MESSAGE_BYTES, WebSocketByteStream, TEXT_MESSAGE_REASON } from '../../src/transport/websocket/websocket-byte-stream';
import type { WebSocketPort, WebSocketPortEvents } from '../../src/transport/websocket/websocket-port';

/** A port that records what the stream does and lets the test play the network. */
class RecordingPort implements WebSocketPort {
  readonly remoteAddress = '10.0.0.1';
  readonly remotePort = 4242;
  readonly sent: Uint8Array[] = [];
  closed: { code: number; reason: string } | undefined;
  terminated = false;
  paused = false;
  bufferedAmount = 0;
  drainWatch: number | undefined;
  events!: WebSocketPortEvents;
  bind(events: WebSocketPortEvents): void {
    this.events = events;
  }
  send(bytes: Uint8Array): void {
    this.sent.push(Buffer.from(bytes));
    this.bufferedAmount += bytes.length;
  }
  watchDrain(drainedAtBytes: number): void {
    this.drainWatch = drainedAtBytes;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  terminate(): void {
    this.terminated = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  /** The network took everything. */
  flushed(): void {
    this.bufferedAmount = 0;
    this.events.drained();
  }
}

function setup(): { port: RecordingPort; stream: WebSocketByteStream; data: Buffer[]; errors: Error[] } {
  const port = new RecordingPort();
  const stream = new WebSocketByteStream(port);
  const data: Buffer[] = [];
  const errors: Error[] = [];
  stream.on('data', (chunk: Buffer) => data.push(chunk));
  stream.on('error', (error: Error) => errors.push(error));
  return { port, stream, data, errors };
}

describe('WebSocketByteStream', () => {
  test('a long write leaves in messages of at most 64 KiB, in order', () => {
    const { port, stream } = setup();
    const bytes = Buffer.alloc(WEBSOCKET_MAX_SEND_MESSAGE_BYTES * 2 + 5).map((_, i) => i % 256);
    stream.write(bytes);
    expect(port.sent.map((m) => m.length)).toEqual([WEBSOCKET_MAX_SEND_MESSAGE_BYTES, WEBSOCKET_MAX_SEND_MESSAGE_BYTES, 5]);
    expect(Buffer.compare(Buffer.concat(port.sent), bytes)).toBe(0);
  });

  test('writes between cork and uncork leave as one message', () => {
    const { port, stream } = setup();
    stream.cork();
    stream.write(Buffer.from('ab'));
    stream.write(Buffer.from('cd'));
    expect(port.sent).toHaveLength(0);
    stream.uncork();
    expect(port.sent.map((m) => Buffer.from(m).toString())).toEqual(['abcd']);
  });

  test('backpressure: write() is false past 64 KiB buffered, then one drain when the network took it', () => {
    const { port, stream } = setup();
    let drains = 0;
    stream.on('drain', () => drains++);
    expect(stream.write(Buffer.alloc(1000))).toBe(true);
    expect(stream.write(Buffer.alloc(64 * 1024))).toBe(false);
    expect(stream.writableNeedDrain).toBe(true);
    expect(stream.writableLength).toBe(1000 + 64 * 1024);
    expect(port.drainWatch).toBeDefined();
    port.flushed();
    expect(drains).toBe(1);
    expect(stream.writableNeedDrain).toBe(false);
  });

  test('created paused: messages wait, in order, until resume(); pause() holds them again', () => {
    const { port, stream, data } = setup();
    expect(port.paused).toBe(true);
    port.events.message(Buffer.from('one'));
    port.events.message(new Uint8Array([0x74, 0x77, 0x6f]));
    expect(data).toHaveLength(0);
    stream.resume();
    expect(data.map(String)).toEqual(['one', 'two']);
    stream.pause();
    port.events.message(Buffer.from('three'));
    expect(data).toHaveLength(2);
    stream.resume();
    expect(data.map(String)).toEqual(['one', 'two', 'three']);
  });

  test('a close that arrives while messages wait is reported after them', () => {
    const { port, stream, data } = setup();
    const order: string[] = [];
    stream.on('data', () => order.push('data'));
    stream.on('close', () => order.push('close'));
    port.events.message(Buffer.from('last words'));
    port.events.close(1000, '');
    expect(order).toEqual([]);
    stream.resume();
    expect(order).toEqual(['data', 'close']);
    expect(data.map(String)).toEqual(['last words']);
  });

  test('a text message: the WebSocket closes with 1003 and the reason, the stream reports an error', () => {
    const { port, stream, errors } = setup();
    stream.resume();
    port.events.message('hello');
    expect(port.closed).toEqual({ code: 1003, reason: TEXT_MESSAGE_REASON });
    expect(errors.map((e) => e.message)).toEqual([TEXT_MESSAGE_REASON]);
  });

  test('a peer close with a code other than 1000 is an error naming it, then close', async () => {
    const { port, errors, stream } = setup();
    const closed = new Promise((resolve) => stream.once('close', resolve));
    port.events.close(1009, 'Max payload size exceeded');
    await closed;
    expect(errors.map((e) => e.message)).toEqual(['WebSocket closed with code 1009: Max payload size exceeded']);
    expect(stream.destroyed).toBe(true);
  });

  test('end() sends the last bytes then the close frame; destroy() terminates and emits close once', async () => {
    const { port, stream } = setup();
    let closes = 0;
    stream.on('close', () => closes++);
    stream.end(Buffer.from('bye'));
    expect(port.sent.map(String)).toEqual(['bye']);
    expect(port.closed).toEqual({ code: 1000, reason: '' });
    expect(stream.write(Buffer.from('late'))).toBe(false);
    const fresh = setup();
    fresh.stream.on('close', () => closes++);
    fresh.stream.destroy();
    fresh.stream.destroy();
    expect(fresh.port.terminated).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closes).toBe(1);
    expect(fresh.stream.remoteAddress).toBe('10.0.0.1');
  });
});
