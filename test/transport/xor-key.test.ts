// The xorKey option: a string is its UTF-8 bytes, used for both the key check and the XOR; other types are refused.
import { FrameClient, FrameKind, FrameServer, resolveTransportOptions, type FrameConnection } from '../../src/transport';
import { xorKeyCheck } from '../../src/transport/xor-key';

describe('xorKey option', () => {
  it('takes a string as its UTF-8 bytes', () => {
    const options = resolveTransportOptions({ xorKey: 'clé' });
    expect(Buffer.from(options.xorKey as Uint8Array).equals(Buffer.from('clé', 'utf8'))).toBe(true);
    expect(xorKeyCheck(options.xorKey)).toBe(xorKeyCheck(Buffer.from('clé', 'utf8')));
  });

  it("copies a Uint8Array key, so changing the caller's buffer later changes nothing", () => {
    const key = Buffer.from('k3y');
    const options = resolveTransportOptions({ xorKey: key });
    key.fill(0);
    expect(Buffer.from(options.xorKey as Uint8Array).toString()).toBe('k3y');
  });

  it.each([
    ['a number', 42],
    ['an array', [1, 2, 3]],
    ['null', null],
    ['an object', { key: 'x' }],
  ])('refuses %s with a TypeError naming the field', (_name, value) => {
    expect(() => resolveTransportOptions({ xorKey: value as unknown as string })).toThrow(TypeError);
    expect(() => resolveTransportOptions({ xorKey: value as unknown as string })).toThrow(/transport option xorKey must be a Uint8Array or a string/);
  });

  it('refuses an empty string like an empty buffer', () => {
    expect(() => resolveTransportOptions({ xorKey: '' })).toThrow(/transport option xorKey must not be empty/);
  });

  it.each([
    ['the client has the key as a string, the server as bytes', 'clé secrète', Buffer.from('clé secrète', 'utf8')],
    ['the client has the key as bytes, the server as a string', Buffer.from('clé secrète', 'utf8'), 'clé secrète'],
  ])('exchanges frames both ways when %s', async (_name, clientKey, serverKey) => {
    const server = new FrameServer({ xorKey: serverKey });
    const atServer = new Promise<string>((resolve) => {
      server.on('connection', (connection: FrameConnection) => {
        connection.start({ onFrame: (_kind, _flags, _id, payload) => resolve(payload.toString('utf8')) });
        connection.send(FrameKind.DATA, 0, 2, Buffer.from('from the server'));
      });
    });
    await server.listen(0);
    const client = new FrameClient({ port: server.address().port, reconnect: false, xorKey: clientKey });
    // Started from the 'connection' event: the server's frame may arrive with its preface, before connect() resolves.
    const atClient = new Promise<string>((resolve) => {
      client.on('connection', (connection) => connection.start({ onFrame: (_kind, _flags, _id, payload) => resolve(payload.toString('utf8')) }));
    });
    try {
      const connection = await client.connect();
      connection.send(FrameKind.DATA, 0, 1, Buffer.from('from the client'));
      expect(await atServer).toBe('from the client');
      expect(await atClient).toBe('from the server');
    } finally {
      client.close();
      await server.close(0);
    }
  });
});
