// Child process: a framerpc FrameServer holding idle connections; each echoes DATA frames through one small sink object.
import { FrameKind, FrameServer, type FrameConnection, type FrameSink } from '../../src/transport';
import { numberArg } from '../child/args';
import { serveInChild } from '../child/serve-in-child';

// Read once: `FrameKind` is re-exported through index.ts, whose getter would run on every frame.
const DATA = FrameKind.DATA;

/** The per-connection state an application would keep: an object with the connection, no closure. */
class EchoSink implements FrameSink {
  constructor(private readonly connection: FrameConnection) {}

  onFrame(kind: number, _flags: number, streamId: number, payload: Buffer): void {
    if (kind === DATA) this.connection.send(DATA, 0, streamId, payload);
  }
}

serveInChild(async () => {
  const server = new FrameServer({
    maxConnections: numberArg('maxConnections', 10_000),
    // A long interval: the connections take part in the heartbeat, as in production, but no PING is sent during the run.
    heartbeatIntervalMs: numberArg('heartbeatMs', 600_000),
  });
  server.on('connection', (connection: FrameConnection) => connection.start(new EchoSink(connection)));
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, connections: () => server.connections.size, close: () => server.close(0) };
});
