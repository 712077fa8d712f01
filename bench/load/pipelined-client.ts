// The transport load client: one raw TCP connection keeping N frames in flight, one socket.write per tick.
import type * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CellTiming } from '../config';
import { connect, exchangePreface } from './connect';
import { FrameCounter } from './frame-counter';
import { cellDeadlineMs, Measurement, type CellResult } from './measurement';

const HEADER_BYTES = 10;
const DATA_KIND = 0x04;
const STREAM_ID = 1;
// After the measurement ends, in-flight frames get this long to come back before the socket is destroyed.
const SETTLE_MS = 2000;

/** Where to send, and whether the server expects framerpc's 12-byte preface exchange first. */
export interface EchoTarget {
  readonly port: number;
  readonly framed: boolean;
}

/**
 * Drives an echo server with `inFlight` frames of `payloadBytes` outstanding on one connection. The frames
 * written in one tick go out as a single socket.write of a prebuilt buffer (no per-frame copy or allocation),
 * so the client stays cheap next to the server under test. Echo preserves order, so each response is
 * matched to its send time through a ring indexed by sequence number.
 */
export async function runPipelined(target: EchoTarget, payloadBytes: number, inFlight: number, timing: CellTiming): Promise<CellResult> {
  const socket = await connect(target.port);
  try {
    const leftover = target.framed ? await exchangePreface(socket) : Buffer.alloc(0);
    return await drive(socket, leftover, payloadBytes, inFlight, timing);
  } finally {
    socket.destroy();
  }
}

/** `count` copies of one DATA frame, back to back; subarrays of it are written and never mutated. */
function prebuiltFrames(payloadBytes: number, count: number): Buffer {
  const frameBytes = HEADER_BYTES + payloadBytes;
  const frames = Buffer.alloc(frameBytes * count, 0x61);
  for (let i = 0; i < count; i++) {
    const at = i * frameBytes;
    frames.writeUInt32BE(payloadBytes, at);
    frames[at + 4] = DATA_KIND;
    frames[at + 5] = 0;
    frames.writeUInt32BE(STREAM_ID, at + 6);
  }
  return frames;
}

function drive(socket: net.Socket, leftover: Buffer, payloadBytes: number, inFlight: number, timing: CellTiming): Promise<CellResult> {
  const frameBytes = HEADER_BYTES + payloadBytes;
  const frames = prebuiltFrames(payloadBytes, inFlight);
  const ringSize = 2 ** Math.ceil(Math.log2(inFlight + 1));
  const mask = ringSize - 1;
  const sentAt = new Float64Array(ringSize);
  const counter = new FrameCounter();
  const measurement = new Measurement(timing);
  let sent = 0;
  let received = 0;
  let now = 0;
  let lastProgress = performance.now();

  return new Promise((resolve, reject) => {
    let settleTimer: NodeJS.Timeout | undefined;
    const finish = (error?: Error): void => {
      clearInterval(watchdog);
      clearTimeout(settleTimer);
      clearTimeout(deadline);
      socket.off('data', onData);
      if (error) reject(error);
      else resolve(measurement.result());
    };
    const deadline = setTimeout(() => finish(new Error(`cell did not finish within ${cellDeadlineMs(timing)} ms`)), cellDeadlineMs(timing));
    const watchdog = setInterval(() => {
      if (performance.now() - lastProgress > 5000) finish(new Error(`no echo for 5 s (${sent - received} frames in flight)`));
    }, 1000);

    const onFrame = (length: number): void => {
      if (length !== payloadBytes) throw new Error(`echo of ${length} bytes, expected ${payloadBytes}`);
      measurement.record(now - sentAt[received & mask]);
      received++;
    };
    const send = (count: number): void => {
      const at = performance.now();
      for (let i = 0; i < count; i++) sentAt[(sent + i) & mask] = at;
      sent += count;
      socket.write(count === inFlight ? frames : frames.subarray(0, count * frameBytes));
    };
    const onData = (chunk: Buffer): void => {
      now = performance.now();
      const before = received;
      try {
        counter.push(chunk, onFrame);
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (received === before) return;
      lastProgress = now;
      if (measurement.tick(now)) {
        send(inFlight - (sent - received));
      } else if (sent === received) {
        finish();
      } else {
        settleTimer ??= setTimeout(() => finish(), SETTLE_MS);
      }
    };

    socket.on('data', onData);
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error('server closed the connection')));
    socket.resume();
    if (leftover.length > 0) onData(leftover);
    send(inFlight);
  });
}
