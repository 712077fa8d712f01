/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type errors are caught once by `npm run typecheck` (tsc over the whole tree);
  // transpiling each test file in isolation keeps the suite fast on 2 cores.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 20000,
};
