/** Tests by tier and file name: *.unit.spec.ts, *.int.spec.ts (real SQLite files), *.e2e.spec.ts (real servers). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/schemas', '<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  reporters: ['default', '<rootDir>/test/plain-summary-reporter.js'],
  testTimeout: 120_000,
  maxWorkers: 2,
};
