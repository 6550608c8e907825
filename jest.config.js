/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // nanoid ships ESM only; let swc turn it into CommonJS for Jest's module system.
  transformIgnorePatterns: ['/node_modules/(?!nanoid/)'],
  // The real platforms the tests buy from (tests/platforms/*) have their own installs, never part of the test tree.
  modulePathIgnorePatterns: ['<rootDir>/tests/platforms/[^/]+/node_modules/'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Starts those platforms once per run, in parallel (tests/support/test-platforms.ts lists them).
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
