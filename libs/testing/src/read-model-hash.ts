import { createHash } from 'node:crypto';
import type { Projection } from '#projection-runtime';
import type { ReadStore } from '#read-store';

/** A hash of every document (id, position, value), checkpoint and parked event of the projections. */
export async function readModelHash(
  store: ReadStore,
  projections: readonly Projection[],
): Promise<{ hash: string; documents: number }> {
  const hash = createHash('sha256');
  let documents = 0;
  for (const projection of projections) {
    let after: string | null = null;
    for (;;) {
      const page: Array<{ id: string; value: unknown; position: string | null }> = await store.list(
        projection.name,
        after,
        1000,
      );
      if (page.length === 0) break;
      for (const doc of page)
        hash.update(`${projection.name}\u0000${doc.id}\u0000${doc.position}\u0000${JSON.stringify(doc.value)}\n`);
      documents += page.length;
      after = page[page.length - 1].id;
    }
    const checkpoint = await store.checkpoint(projection.name);
    hash.update(`checkpoint\u0000${projection.name}\u0000${checkpoint?.version}\u0000${checkpoint?.position}\n`);
  }
  for (const parked of await store.parked()) hash.update(`parked\u0000${JSON.stringify(parked)}\n`);
  return { hash: hash.digest('hex'), documents };
}
