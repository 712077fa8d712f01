// Client of the naive node:net broadcast server: u32 BE length + the text; reads the send time at offset 4.
import { connect } from '../load/connect';
import type { BroadcastClient, DeliveryStats } from './delivery-stats';
import { FrameReader } from './frame-reader';
import { nowMicros, readStamp, TEXT_BYTES } from './payload';

const LENGTH_BYTES = 4;

/** Opens one client of the naive server. */
export async function openNetClient(port: number, stats: DeliveryStats, onClosed: () => void): Promise<BroadcastClient> {
  const socket = await connect(port);
  const reader = new FrameReader(LENGTH_BYTES);
  let closing = false;
  const onFrame = (buffer: Buffer, start: number): void => stats.record(readStamp(buffer, start + LENGTH_BYTES));
  socket.on('error', () => {});
  socket.once('close', () => {
    if (!closing) onClosed();
  });
  socket.on('data', (chunk: Buffer) => {
    stats.now = nowMicros();
    reader.push(chunk, onFrame);
  });
  return {
    post(text: string): void {
      const frame = Buffer.allocUnsafe(LENGTH_BYTES + TEXT_BYTES);
      frame.writeUInt32BE(TEXT_BYTES, 0);
      frame.write(text, LENGTH_BYTES, 'latin1');
      socket.write(frame);
    },
    close(): void {
      closing = true;
      socket.destroy();
    },
  };
}
