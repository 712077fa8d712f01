// A malformed PUSH frame closes the client's connection with PROTOCOL_ERROR even with no push listener.
import { createClient, RpcError, Status } from '../../src';
import { Channel } from '../../src/client/channel';
import { CloseCode, FrameKind, FrameServer, type CloseInfo, type FrameConnection } from '../../src/transport';
import { TestServiceDefinition } from '../rpc/harness';

describe('malformed PUSH frames, no push subscription on the channel', () => {
  it.each([
    ['a topic length of 0', 0, Buffer.from([0, 1, 2, 3])],
    ['a topic cut off', 0, Buffer.from([40, 0x2f, 0x61])],
    ['an empty payload', 0, Buffer.alloc(0)],
    ['a stream id other than 0', 5, Buffer.from([3, 0x2f, 0x61, 0x62])],
  ])('%s: the client closes with PROTOCOL_ERROR and the call in flight fails at once', async (_name, streamId, payload) => {
    const server = new FrameServer();
    const serverClose = new Promise<CloseInfo>((resolve) => {
      server.on('connection', (connection: FrameConnection) => {
        connection.once('close', resolve);
        // A raw server: answers the CALL with a malformed PUSH and never with a STATUS.
        connection.start({ onFrame: (kind) => void (kind === FrameKind.CALL && connection.send(FrameKind.PUSH, 0, streamId, payload)) });
      });
    });
    await server.listen(0);
    const channel = new Channel({ port: server.address().port, reconnect: false });
    try {
      const call = createClient(TestServiceDefinition, channel).unary({ body: Buffer.alloc(0), seq: 1 }); // no deadline
      const error = await call.then(
        () => undefined,
        (e: RpcError) => e,
      );
      expect(error).toBeInstanceOf(RpcError);
      expect(error?.code).toBe(Status.UNAVAILABLE);
      expect(error?.message).toMatch(/PUSH/);
      const info = await serverClose;
      expect(info.code).toBe(CloseCode.PROTOCOL_ERROR);
      expect(info.remote).toBe(true);
    } finally {
      channel.close();
      await server.close(0);
    }
  });
});
