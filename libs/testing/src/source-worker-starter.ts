import { Worker } from 'node:worker_threads';
import type { WorkerStarter } from '#journey-log/kafka';
import { ROOT } from './backbone-process';

/**
 * Starts a worker thread on a TypeScript module: the thread compiles each `.ts` module it loads
 * with the compiler the tests use (`@swc/core`), and resolves the libraries' names (`#errors`, ...)
 * to their sources as jest does, so tests run the source itself in threads too.
 */
export const sourceWorkerStarter: WorkerStarter = (modulePath, workerData) => {
  if (!modulePath.endsWith('.ts')) return new Worker(modulePath, { workerData });
  const bootstrap = `
    const { readFileSync } = require('node:fs');
    const { join } = require('node:path');
    const Module = require('node:module');
    const { transformSync } = require(${JSON.stringify(require.resolve('@swc/core'))});
    const root = ${JSON.stringify(ROOT)};
    const { imports } = require(join(root, 'package.json'));
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      const target = imports[request];
      return resolve.call(this, target ? join(root, target.types) : request, ...rest);
    };
    const options = {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    };
    require.extensions['.ts'] = (module, filename) => {
      const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
      module._compile(code, filename);
    };
    require(${JSON.stringify(modulePath)});`;
  return new Worker(bootstrap, { eval: true, workerData });
};
