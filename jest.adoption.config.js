// `npm run test:adoption`: the packed-package test (npm pack, npm install, tsc in a temporary app), apart from
// the main suite because it takes about a minute.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/adoption'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/adoption/app/'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 300000,
};
