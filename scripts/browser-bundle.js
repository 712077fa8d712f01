// Bundles framerpc's browser entry (or a page's own entry) with esbuild: no Node built-ins reach the browser.
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const shims = path.join(root, 'src', 'browser', 'shims');

/**
 * Node modules the shared client code imports, and what the bundle uses instead: the npm `events` package
 * (EventEmitter), zlib's two synchronous calls by fflate (pure JS), small stubs for what a browser channel
 * never calls (TCP, TLS, SHA-256, ws), and silent diagnostics channels. Buffer, process and Node-style timers come from browser-globals.ts (inject).
 */
const replacements = {
  events: require.resolve('events/'),
  zlib: path.join(shims, 'zlib.ts'),
  crypto: path.join(shims, 'crypto.ts'),
  net: path.join(shims, 'sockets.ts'),
  tls: path.join(shims, 'sockets.ts'),
  ws: path.join(shims, 'sockets.ts'),
  diagnostics_channel: path.join(shims, 'diagnostics-channel.ts'),
  buffer: require.resolve('buffer/'),
};

const nodeShims = {
  name: 'framerpc-node-shims',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(events|zlib|crypto|net|tls|diagnostics_channel|buffer)$|^ws$/ }, (args) => ({ path: replacements[args.path.replace(/^node:/, '')] }));
  },
};

/** esbuild options for a browser bundle of `entry` written to `outfile` (ESM, one file, with a source map). */
function browserBuildOptions(entry, outfile) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    inject: [path.join(shims, 'browser-globals.ts')],
    plugins: [nodeShims],
    metafile: true,
  };
}

/** Builds `entry` into `outfile`; fails if anything in the bundle still imports a Node built-in. */
async function bundle(entry, outfile) {
  const esbuild = require('esbuild');
  const result = await esbuild.build(browserBuildOptions(entry, outfile));
  const nodeInputs = Object.keys(result.metafile.inputs).filter((input) => input.startsWith('node:'));
  if (nodeInputs.length > 0) throw new Error(`the browser bundle imports Node built-ins: ${nodeInputs.join(', ')}`);
  return result;
}

/** Builds `entry` in memory (nothing written): resolves with the bundle as `app.js` text and its source map. */
async function bundleInMemory(entry) {
  const esbuild = require('esbuild');
  const outfile = path.join(root, 'dist', 'browser-pages', 'app.js');
  const result = await esbuild.build({ ...browserBuildOptions(entry, outfile), write: false, sourcemap: 'linked' });
  const nodeInputs = Object.keys(result.metafile.inputs).filter((input) => input.startsWith('node:'));
  if (nodeInputs.length > 0) throw new Error(`the browser bundle imports Node built-ins: ${nodeInputs.join(', ')}`);
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
  return { js: js.text, map: map ? map.text : '' };
}

module.exports = { browserBuildOptions, bundle, bundleInMemory, root };

if (require.main === module) {
  const outfile = path.join(root, 'dist', 'browser', 'framerpc.js');
  bundle(path.join(root, 'src', 'browser', 'index.ts'), outfile).then(
    (result) => {
      const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes;
      console.log(`browser bundle: ${path.relative(root, outfile)}${bytes ? ` (${Math.round(bytes / 1024)} KiB)` : ''}`);
    },
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
