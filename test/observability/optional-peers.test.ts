// The optional peer dependencies: without @opentelemetry/api or prom-client installed, asking for tracing or the
// Prometheus adapter fails at set-up with what to install, and nothing else in framerpc needs them.
describe('optional peer dependencies', () => {
  afterEach(() => jest.resetModules());

  function missing(name: string): void {
    jest.doMock(name, () => {
      throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
    });
  }

  it('tracing says to install @opentelemetry/api', () => {
    missing('@opentelemetry/api');
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { clientTracing, serverTracing, RpcServer } = require('../../src') as typeof import('../../src');
      expect(() => clientTracing()).toThrow('framerpc tracing needs @opentelemetry/api: npm install @opentelemetry/api');
      expect(() => serverTracing()).toThrow('needs @opentelemetry/api');
      expect(new RpcServer()).toBeInstanceOf(RpcServer); // the rest works without it
    });
  });

  it('the Prometheus adapter says to install prom-client, unless given a registry', () => {
    missing('prom-client');
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { prometheusMetrics } = require('../../src') as typeof import('../../src');
      expect(() => prometheusMetrics()).toThrow('framerpc prometheusMetrics needs prom-client: npm install prom-client');
      const registered: string[] = [];
      const metrics = prometheusMetrics({ registry: { registerMetric: (metric: { name: string }) => void registered.push(metric.name) } });
      expect(metrics.registry).toBeDefined();
      expect(registered).toContain('framerpc_server_handled_total');
    });
  });
});
