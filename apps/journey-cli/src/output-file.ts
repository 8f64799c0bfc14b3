import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes a file whole or not at all: to a temporary name beside it, then renamed. Interrupted
 * before the rename (Ctrl-C), nothing is left under the real name and the temporary file is removed.
 */
export function writeFileAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.partial`;
  const cleanup = () => rmSync(temporary, { force: true });
  process.once('exit', cleanup);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } finally {
    cleanup();
    process.removeListener('exit', cleanup);
  }
}
