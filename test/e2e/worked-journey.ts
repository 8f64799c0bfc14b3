import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '#testing';

/** The README's worked example: the same JSON files the curl commands post, in order. */
export function workedJourneySteps(): Array<{ file: string; app: string; body: unknown }> {
  const dir = join(ROOT, 'examples/worked-journey');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, app: file.split('-')[1], body: JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
}
