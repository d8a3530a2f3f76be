// ESM mode: @kubernetes/client-node is ESM-only (see docs/adr/0001-esm-typescript.md).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The build (dist/, which holds a compiled copy of test/) is never a test or a module to resolve.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 30000,
  // Suites start real servers and child processes; two workers match this 2-core machine.
  maxWorkers: 2,
};
