import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The byte forms a text may take on disk: as it is (UTF-8) and as a JSON string holds it (escaped). */
export function byteForms(text: string): Buffer[] {
  const forms = [text, JSON.stringify(text).slice(1, -1)];
  return [...new Set(forms)].filter((form) => form.length > 0).map((form) => Buffer.from(form, 'utf8'));
}

const CHUNK = 4 * 1024 * 1024;

/** Whether a file holds any of the byte strings: read in chunks that overlap by the longest one, so none is split. */
export function fileHolds(file: string, needles: readonly Buffer[]): boolean {
  if (needles.length === 0) return false;
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK + overlap);
    let carried = 0;
    for (;;) {
      const read = readSync(fd, buffer, carried, CHUNK, null);
      const filled = carried + read;
      const view = buffer.subarray(0, filled);
      if (needles.some((needle) => view.indexOf(needle) !== -1)) return true;
      if (read === 0) return false;
      carried = Math.min(overlap, filled);
      buffer.copy(buffer, 0, filled - carried, filled);
    }
  } finally {
    closeSync(fd);
  }
}

/** A SQLite database with the files SQLite keeps beside it (write-ahead log, rollback journal), those that exist. */
export function sqliteFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-journal`, `${file}-shm`].filter((f) => existsSync(f));
}

/** The segment files (and their indexes) of a topic's partitions under a Kafka broker's `log.dirs`. */
export function kafkaTopicFiles(logDirs: readonly string[], topic: string): string[] {
  const files: string[] = [];
  const partition = new RegExp(`^${topic.replace(/[.]/g, '\\.')}-\\d+$`);
  for (const dir of logDirs) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      if (!partition.test(entry)) continue;
      const partitionDir = join(dir, entry);
      for (const file of readdirSync(partitionDir)) {
        const path = join(partitionDir, file);
        if (statSync(path).isFile()) files.push(path);
      }
    }
  }
  return files;
}
