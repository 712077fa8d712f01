// Child process: a framerpc FrameServer echoing every DATA frame back with connection.send.
import { FrameKind, FrameServer, type FrameConnection } from '../../src/transport';
import { numberArg } from '../child/args';
import { serveInChild } from '../child/serve-in-child';

// Read once: `FrameKind` is re-exported through index.ts, whose getter would run on every frame.
const DATA = FrameKind.DATA;

serveInChild(async () => {
  const server = new FrameServer({
    maxConnections: numberArg('maxConnections', 10_000),
    // 0 = no heartbeat timers; the idle-memory section passes a long interval instead, so the
    // per-connection timer a real deployment has is counted but never fires.
    heartbeatIntervalMs: numberArg('heartbeatMs', 0),
  });
  server.on('connection', (connection: FrameConnection) => {
    connection.start({
      onFrame(kind, _flags, streamId, payload) {
        if (kind === DATA) connection.send(DATA, 0, streamId, payload);
      },
    });
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, connections: () => server.connections.size, close: () => server.close(0) };
});
