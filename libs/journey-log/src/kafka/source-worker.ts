import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module of this code base. Built, the module is a `.js` file; run from
 * the TypeScript sources (the tests), the worker compiles each `.ts` module it loads with the
 * compiler the tests use (`@swc/core`, a development dependency), so tests run the source itself.
 */
export function startWorker(modulePath: string, workerData: unknown): Worker {
  if (!modulePath.endsWith('.ts')) return new Worker(modulePath, { workerData });
  const swc = require.resolve('@swc/core');
  const bootstrap = `
    const { readFileSync } = require('node:fs');
    const { transformSync } = require(${JSON.stringify(swc)});
    const options = { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' };
    require.extensions['.ts'] = (module, filename) => module._compile(transformSync(readFileSync(filename, 'utf8'), { ...options, filename }).code, filename);
    require(${JSON.stringify(modulePath)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}
