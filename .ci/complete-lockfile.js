#!/usr/bin/env node
// Adds lockfile entries for optional platform binaries the package registry reachable here does not
// serve (it answers 404 for e.g. @bufbuild/buf-darwin-arm64), which npm therefore leaves out of
// package-lock.json, and which `npm ci` then reports as missing. Each entry carries the os/cpu npm
// checks, so on any machine npm skips the ones that are not for it, as it would have anyway.
// Run after `npm install` changes package-lock.json: node .ci/complete-lockfile.js
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));

// Platform words in binary package names -> npm's os / cpu / libc values.
const OS = { darwin: 'darwin', linux: 'linux', win32: 'win32', android: 'android', freebsd: 'freebsd', openharmony: 'openharmony' };
const CPU = { arm64: 'arm64', aarch64: 'arm64', x64: 'x64', ia32: 'ia32', arm: 'arm', armv7: 'arm', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x' };

function platformOf(name) {
  const words = name.split('/').pop().split('-');
  const os = words.find((w) => OS[w]);
  const cpu = words.find((w) => CPU[w]);
  if (!os || !cpu) return undefined;
  const entry = { os: [OS[os]], cpu: [CPU[cpu]] };
  if (words.some((w) => w.includes('musl'))) entry.libc = ['musl'];
  else if (os === 'linux' && words.some((w) => w.startsWith('gnu'))) entry.libc = ['glibc'];
  return entry;
}

let added = 0;
for (const [location, pkg] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${location}/node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!platform || !/^\d+\.\d+\.\d+/.test(spec)) {
      console.error(`complete-lockfile: cannot describe ${name}@${spec}; leaving it out`);
      continue;
    }
    lock.packages[key] = { version: spec, ...(pkg.dev ? { dev: true } : {}), optional: true, ...platform };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
