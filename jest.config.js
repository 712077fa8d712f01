/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/adoption packs and installs the package (about a minute): `npm run test:adoption`, run by .ci/run.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/adoption/'],
  // Type errors are caught once by `npm run typecheck` (tsc over the whole tree);
  // transpiling each test file in isolation keeps the suite fast on 2 cores.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 20000,
};
