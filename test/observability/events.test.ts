// Channel and RpcServer events (connection state, GOAWAY, endpoint up/down) and the diagnostics_channel channels.
import 'reflect-metadata';
import diagnosticsChannel from 'node:diagnostics_channel';
import { once } from 'node:events';
import { Channel, DiagnosticChannel, RpcServer, createClient } from '../../src/internal';
import { instrumentServer, type MetricsHooks } from '../../src/observability';
import { TestServiceDefinition, defaultHandlers, recordingLogger } from '../rpc/harness';

const noHooks: MetricsHooks = {
  callStarted() {},
  callHandled() {},
  messageReceived() {},
  messageSent() {},
  connectionOpened() {},
  connectionClosed() {},
  bytesReceived() {},
  bytesSent() {},
  pushDelivered() {},
  pushDropped() {},
};

it('Channel reports state, up, GOAWAY and down; RpcServer connection, closing and disconnect; tools see them on diagnostics channels', async () => {
  const published: [string, Record<string, unknown>][] = [];
  const subscribers = Object.values(DiagnosticChannel).map((name) => {
    const listener = (message: unknown): void => void published.push([name, message as Record<string, unknown>]);
    diagnosticsChannel.subscribe(name, listener);
    return () => diagnosticsChannel.unsubscribe(name, listener);
  });
  const server = new RpcServer({ logger: recordingLogger() });
  server.addService(TestServiceDefinition, defaultHandlers());
  instrumentServer(server, noHooks); // publishes call start/end
  const serverEvents: string[] = [];
  server.on('connection', () => serverEvents.push('connection'));
  server.on('closing', () => serverEvents.push('closing'));
  server.on('disconnect', (_connection, info) => serverEvents.push(`disconnect:${info.code}`));
  const { port } = await server.listen(0);

  const channel = new Channel({ port, reconnect: false });
  const channelEvents: string[] = [];
  channel.on('state', (state, previous) => channelEvents.push(`${previous}->${state}`));
  channel.on('connect', () => channelEvents.push('up'));
  channel.on('goaway', (info) => channelEvents.push(`goaway:${info.reason}`));
  channel.on('disconnect', () => channelEvents.push('down'));
  try {
    await createClient(TestServiceDefinition, channel).unary({ body: Buffer.alloc(0), seq: 1 });
    const down = once(channel, 'disconnect');
    await server.close(1000);
    await down;
    expect(channelEvents).toEqual(['idle->connecting', 'connecting->open', 'up', 'goaway:server shutting down', 'down', 'open->closed']);
    expect(serverEvents).toEqual(['connection', 'closing', expect.stringMatching(/^disconnect:\d+$/)]);
    const names = published.map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining([
        DiagnosticChannel.SERVER_CONNECTION,
        DiagnosticChannel.CALL_START,
        DiagnosticChannel.CALL_END,
        DiagnosticChannel.SERVER_CLOSING,
        DiagnosticChannel.CHANNEL_GOAWAY,
        DiagnosticChannel.SERVER_DISCONNECT,
        DiagnosticChannel.CHANNEL_STATE,
      ]),
    );
    const end = published.find(([name]) => name === DiagnosticChannel.CALL_END)![1];
    expect(end).toMatchObject({ method: '/test.v1.TestService/Unary', side: 'server', code: 0 });
    expect(published.find(([name]) => name === DiagnosticChannel.SERVER_CONNECTION)![1].server).toBe(server);
  } finally {
    for (const unsubscribe of subscribers) unsubscribe();
    channel.close();
  }
});
