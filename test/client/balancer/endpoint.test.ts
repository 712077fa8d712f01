// Endpoint text: "host:port" and "[v6]:port" parse to { host, port } and back; bad text is refused by name.
import { endpointKey, parseEndpoint, toEndpoint } from '../../../src/client/balancer/endpoint';
import { staticResolver } from '../../../src/internal';

describe('endpoints', () => {
  it('parses host:port, [v6]:port and :port', () => {
    expect(parseEndpoint('10.0.0.1:50051')).toEqual({ host: '10.0.0.1', port: 50051 });
    expect(parseEndpoint('[::1]:7000')).toEqual({ host: '::1', port: 7000 });
    expect(parseEndpoint(':80')).toEqual({ host: '127.0.0.1', port: 80 });
  });

  it('keys an endpoint as it would be written', () => {
    expect(endpointKey({ host: '::1', port: 7000 })).toBe('[::1]:7000');
    expect(endpointKey(parseEndpoint('orders.internal:9'))).toBe('orders.internal:9');
  });

  it('refuses text without a valid port, and objects without host and port', () => {
    expect(() => parseEndpoint('host')).toThrow(/"host" must be "host:port"/);
    expect(() => parseEndpoint('host:0')).toThrow(/must be "host:port"/);
    expect(() => parseEndpoint('host:70000')).toThrow(/must be "host:port"/);
    expect(() => toEndpoint({ host: 'h' } as never)).toThrow(/must be \{ host, port \}/);
  });

  it('a static resolver gives its endpoints as objects', async () => {
    await expect(staticResolver(['a:1', { host: 'b', port: 2 }]).resolve()).resolves.toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
  });
});
