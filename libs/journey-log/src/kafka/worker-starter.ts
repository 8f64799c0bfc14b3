import { Worker } from 'node:worker_threads';

/** Starts a worker thread on a module of this code base. */
export type WorkerStarter = (modulePath: string, workerData: unknown) => Worker;

const startBuiltWorker: WorkerStarter = (modulePath, workerData) => {
  if (modulePath.endsWith('.ts')) {
    throw new Error(
      `${modulePath} is TypeScript source: run the built code, or install a starter that compiles it ` +
        `(setWorkerStarter)`,
    );
  }
  return new Worker(modulePath, { workerData });
};

let starter: WorkerStarter = startBuiltWorker;

/**
 * Built, a worker's module is a `.js` file that Node runs as it is. Tests run the TypeScript
 * sources, so their set-up installs a starter that compiles them (`#testing`); production code
 * never compiles anything.
 */
export function setWorkerStarter(next: WorkerStarter): void {
  starter = next;
}

export function startWorker(modulePath: string, workerData: unknown): Worker {
  return starter(modulePath, workerData);
}
