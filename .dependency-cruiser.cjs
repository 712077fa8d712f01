// dependency-cruiser: no import cycles, and the layers depend downward only (npm run check:deps).
// Layers, lowest first: errors; codec (pure, browser-safe); transport (+ transport/tcp); rpc; service;
// client and server; push; then the features built on them (di, dynamic, health, reflection, observability,
// testing, cli). src/index.ts and src/internal.ts are the entry points and may import anything.

/** A folder of src as a path pattern: `under('rpc')` matches src/rpc/... */
const under = (...folders) => `^src/(${folders.join('|')})/`;

/** Everything above the transport: what the transport must never import. */
const ABOVE_TRANSPORT = ['rpc', 'service', 'client', 'server', 'push', 'di', 'dynamic', 'health', 'reflection', 'observability', 'testing', 'cli'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order fragile; move the shared piece into its own file.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'errors-imports-nothing',
      severity: 'error',
      comment: 'src/errors is the lowest layer: every other layer may throw its errors, so it imports none of them.',
      from: { path: under('errors') },
      to: { path: '^src/', pathNot: under('errors') },
    },
    {
      name: 'codec-is-pure',
      severity: 'error',
      comment: 'src/codec is browser-safe: Uint8Array in, frames out; no node:* modules.',
      from: { path: under('codec') },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'codec-imports-only-errors',
      severity: 'error',
      comment: 'src/codec sits below the transport; of src it may use only src/errors.',
      from: { path: under('codec') },
      to: { path: '^src/', pathNot: [under('codec'), under('errors')] },
    },
    {
      name: 'transport-below-rpc',
      severity: 'error',
      comment: 'The transport moves frames; it knows nothing of calls, services, clients, servers or push.',
      from: { path: under('transport') },
      to: { path: under(...ABOVE_TRANSPORT) },
    },
    {
      name: 'rpc-below-client-server',
      severity: 'error',
      comment: 'rpc holds what both sides of a call share; client, server and push build on it.',
      from: { path: under('rpc') },
      to: { path: under('client', 'server', 'push', 'di', 'dynamic', 'health', 'reflection', 'testing', 'cli') },
    },
    {
      name: 'service-below-client-server',
      severity: 'error',
      comment: 'Service definitions are shared by both sides; they must not reach into client, server or push.',
      from: { path: under('service') },
      to: { path: under('client', 'server', 'push', 'dynamic', 'health', 'reflection', 'testing', 'cli') },
    },
    {
      name: 'client-server-below-push',
      severity: 'error',
      comment: 'Push is built on the client and the server, not the other way round.',
      from: { path: under('client', 'server') },
      to: { path: under('push') },
    },
    {
      name: 'client-server-apart',
      severity: 'error',
      comment: 'The two sides of a call share rpc and service, never each other.',
      from: { path: under('client') },
      to: { path: under('server') },
    },
    {
      name: 'server-client-apart',
      severity: 'error',
      comment: 'The two sides of a call share rpc and service, never each other.',
      from: { path: under('server') },
      to: { path: under('client') },
    },
    {
      name: 'di-at-the-edge',
      severity: 'error',
      comment: 'Only src/di imports tsyringe and reflect-metadata; the core is handed a resolve function.',
      from: { path: '^src/', pathNot: under('di') },
      to: { path: '(^|/)node_modules/(tsyringe|reflect-metadata)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: a cycle of types is still a cycle of concepts.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|coverage)/' },
  },
};
