// FrameConnection.whenWritable: stream producers wait on it, so it must resolve whenever the peer reads.
import { FrameClient, FrameKind, FrameServer, type FrameConnection } from '../../../src/transport';

describe('whenWritable', () => {
  it('resolves at once under the high-water mark, and once a backlog over it has been handed on', async () => {
    // Large flush thresholds: frames stay queued until the end of the tick, as in a busy producer.
    const server = new FrameServer({ compression: false, outboundHighWaterBytes: 64 * 1024, flushThresholdFrames: 10_000, flushThresholdBytes: 4 * 1024 * 1024, heartbeatIntervalMs: 0 });
    const opened = new Promise<FrameConnection>((resolve) => server.once('connection', resolve));
    const { port } = await server.listen(0);
    const client = new FrameClient({ port, reconnect: false, heartbeatIntervalMs: 0 });
    try {
      const clientSide = await client.connect();
      let received = 0;
      const allReceived = new Promise<void>((resolve) => clientSide.start({ onFrame: () => ++received === 40 && resolve() }));
      const connection = await opened;
      await connection.whenWritable(); // nothing queued
      for (let i = 0; i < 40; i++) connection.send(FrameKind.DATA, 0, 1, Buffer.alloc(4096, i));
      expect(connection.outboundBytes).toBeGreaterThan(64 * 1024);
      await connection.whenWritable();
      await allReceived;
      expect(connection.outboundBytes).toBeLessThanOrEqual(64 * 1024);
    } finally {
      client.close();
      await server.close();
    }
  });
});
