// The README's operations snippets (examples/ops/) compile (typecheck covers examples/) and do what the README says.
import 'reflect-metadata';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createChannel, createClient } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { healthExample } from '../../examples/ops/health';
import { loggingExample } from '../../examples/ops/logging';
import { metricsExample } from '../../examples/ops/metrics';
import { reflectionExample } from '../../examples/ops/reflection';
import { tracingExample } from '../../examples/ops/tracing';

describe('README operations snippets', () => {
  it('health: checks, then watches SERVING turn NOT_SERVING when the server closes', async () => {
    expect(await healthExample()).toEqual(['SERVING', 'SERVING', 'NOT_SERVING']);
  });

  it('reflection: lists the services and calls one from its descriptors', async () => {
    const { services, reply } = await reflectionExample();
    expect(services).toEqual(['echo.v1.EchoService', 'grpc.reflection.v1.ServerReflection']);
    expect(reply).toEqual({ text: 'found by reflection', servedBy: expect.any(Number) });
  });

  it('tracing: a client span and a server span of the same trace, the server one its child', async () => {
    const spans = await tracingExample();
    const client = spans.find((span) => span.kind === 'CLIENT')!;
    const server = spans.find((span) => span.kind === 'SERVER')!;
    expect(client.name).toBe('echo.v1.EchoService/Echo');
    expect(server.traceId).toBe(client.traceId);
    expect(server.parent).toBe(client.span);
  });

  it('metrics: /metrics shows the calls', async () => {
    const { server, http } = await metricsExample();
    const channel = createChannel(`127.0.0.1:${server.port}`);
    try {
      await createClient(EchoServiceDefinition, channel).echo({ text: 'counted' });
      const body = await new Promise<string>((resolve, reject) => {
        get(`http://127.0.0.1:${(http.address() as AddressInfo).port}/metrics`, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk));
          response.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toContain('framerpc_server_handled_total{service="echo.v1.EchoService",method="Echo",code="OK"} 1');
    } finally {
      channel.close();
      await server.close();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('logging: pino receives the handler error with its fields', async () => {
    const lines: string[] = [];
    const server = loggingExample(new Writable({ write: (chunk: Buffer, _e, done) => void (lines.push(chunk.toString()), done()) }));
    server.addService(EchoServiceDefinition, {
      echo: () => {
        throw new Error('boom');
      },
      echoStream: async function* () {},
      whoAmI: () => ({ user: '', peer: '' }),
    });
    await server.listen(0);
    const channel = createChannel(`127.0.0.1:${server.port}`);
    await createClient(EchoServiceDefinition, channel)
      .echo({ text: '' })
      .catch(() => undefined);
    channel.close();
    await server.close();
    expect(JSON.parse(lines[0])).toMatchObject({ method: '/echo.v1.EchoService/Echo', code: 'UNKNOWN', err: { message: 'boom' } });
  });
});
