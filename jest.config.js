/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // nanoid ships ESM only; let swc turn it into CommonJS for Jest's module system.
  transformIgnorePatterns: ['/node_modules/(?!nanoid/)'],
  testTimeout: 30000,
  // Real third-party shops (tests/platforms/*), started once per run and only when the run includes their tests.
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  // The platforms' own installs are not test code.
  modulePathIgnorePatterns: [
    '<rootDir>/tests/platforms/[^/]+/node_modules',
    '<rootDir>/tests/platforms/[^/]+/\\.evershop',
  ],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 2,
};
