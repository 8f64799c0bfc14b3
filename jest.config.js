/**
 * Tests in three tiers, one jest project each, chosen by file name:
 *   unit  `*.unit.spec.ts`  pure code, no server, no build: `npm run test:unit`
 *   int   `*.int.spec.ts`   real SQLite files, PostgreSQL and a Kafka broker (started if absent)
 *   e2e   `*.e2e.spec.ts`   the built apps as child processes, on the same servers
 * Jest runs a project's global set-up only when one of its tests runs, so `npx jest <unit file>`
 * starts nothing.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

// Libraries by name (`#errors`, `#journey-log`, ...): package.json's `imports` says where each one's
// TypeScript source (`types`) and built code (`default`) are; tests run the source.
const { imports } = require('./package.json');
const moduleNameMapper = Object.fromEntries(
  Object.entries(imports).map(([name, target]) => [`^${name}$`, `<rootDir>/${target.types}`]),
);

function tier(name, servers) {
  return {
    displayName: name,
    testEnvironment: 'node',
    roots: ['<rootDir>/schemas', '<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
    testMatch: [`**/*.${name}.spec.ts`],
    transform: { '^.+\\.ts$': swc },
    moduleNameMapper,
    ...(servers
      ? {
          globalSetup: '<rootDir>/test/global-setup.js',
          globalTeardown: '<rootDir>/test/global-teardown.js',
          setupFiles: ['<rootDir>/test/source-workers.setup.ts'],
        }
      : {}),
  };
}

module.exports = {
  projects: [tier('unit', false), tier('int', true), tier('e2e', true)],
  reporters: ['default', '<rootDir>/test/plain-summary-reporter.js'],
  testTimeout: 120_000,
  maxWorkers: 2,
};
