import type { Checkpoint, ProjectionCommit } from './read-store.port';

/** A commit's rows, prepared once (a commit may be written twice: optimistically, then under row locks). */
export interface CommitRows {
  /** Every upserted document as one JSON array, or null when there is none. */
  upserts: string | null;
  deletes: ReadonlyArray<{ projection: string; id: string }>;
  parked: ProjectionCommit['parked'];
  /** Parked events to forget, unless parked again by the same commit. */
  unparked: ReadonlyArray<{ projection: string; eventId: string }>;
}

/**
 * Prepares a commit's rows: one write per document, the last one given winning (a statement may not touch a row
 * twice); one row per parked event and projection (the last word wins). Serialising here makes a document that cannot
 * be written fail the commit before any write. One JSON array for all rows: no per-element escaping into a PostgreSQL
 * array literal, and a `json` column taken from it keeps the document's text exactly as serialised.
 */
export function commitRows(change: ProjectionCommit): CommitRows {
  const documents = [...new Map(change.documents.map((d) => [`${d.projection}\u0001${d.id}`, d])).values()];
  const upserts = documents.filter((d) => d.value !== null);
  const parked = [...new Map(change.parked.map((p) => [`${p.projection}\u0001${p.eventId}`, p])).values()];
  const parkedAgain = new Set(parked.map((p) => `${p.projection}\u0001${p.eventId}`));
  return {
    upserts:
      upserts.length === 0
        ? null
        : JSON.stringify(upserts.map((d) => ({ p: d.projection, i: d.id, v: d.value, o: d.position }))),
    deletes: documents.filter((d) => d.value === null),
    parked,
    // One statement cannot delete and insert the same row: a row parked again is overwritten instead.
    unparked: (change.unparked ?? []).filter((p) => !parkedAgain.has(`${p.projection}\u0001${p.eventId}`)),
  };
}

/**
 * The one statement that writes a commit: documents, deletions, parked events and checkpoints, each a CTE. With
 * `stored`, the checkpoint rows are updated only where they still hold `stored`, and nothing else is written unless
 * every one did (the guard). Null when there is nothing to write.
 */
export function commitStatement(
  schema: string,
  { upserts: rows, deletes, parked, unparked }: CommitRows,
  checkpoints: readonly Checkpoint[],
  stored?: readonly Checkpoint[],
): { text: string; values: unknown[] } | null {
  const parts: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const guard = stored ? ' AND (SELECT ok FROM guard)' : '';
  if (stored) {
    parts.push(`UPDATE ${schema}.checkpoints c SET version = x.version, position = x.position, updated_at
      = now()
       FROM unnest(${param(checkpoints.map((c) => c.projection))}::text[],
         ${param(checkpoints.map((c) => c.version))}::int[], ${param(checkpoints.map((c) => c.position))}::text[],
         ${param(stored.map((c) => c.version))}::int[], ${param(stored.map((c) => c.position))}::text[]) AS
           x(projection, version, position, was_version, was_position)
       WHERE c.projection = x.projection AND c.version = x.was_version AND c.position IS NOT DISTINCT FROM
         x.was_position`);
  }
  if (rows !== null) {
    parts.push(`INSERT INTO ${schema}.documents (projection, id, value, position)
       SELECT p, i, v, o FROM json_to_recordset(${param(rows)}::json) AS d(p text, i text, v json, o text)
         WHERE true${guard}
       ON CONFLICT (projection, id) DO UPDATE SET value = excluded.value, position = excluded.position`);
  }
  if (deletes.length > 0) {
    parts.push(`DELETE FROM ${schema}.documents d USING
      unnest(${param(deletes.map((d) => d.projection))}::text[], ${param(deletes.map((d) => d.id))}::text[]) AS
        x(projection, id)
       WHERE d.projection = x.projection AND d.id = x.id${guard}`);
  }
  if (unparked.length > 0) {
    parts.push(`DELETE FROM ${schema}.parked_events e USING
      unnest(${param(unparked.map((p) => p.projection))}::text[], ${param(unparked.map((p) => p.eventId))}::text[])
        AS x(projection, event_id)
       WHERE e.projection = x.projection AND e.event_id = x.event_id${guard}`);
  }
  if (parked.length > 0) {
    parts.push(`INSERT INTO ${schema}.parked_events (projection, event_id, position, type, error)
       SELECT * FROM unnest(${param(parked.map((p) => p.projection))}::text[],
         ${param(parked.map((p) => p.eventId))}::text[], ${param(parked.map((p) => p.position))}::text[],
         ${param(parked.map((p) => p.type))}::text[], ${param(parked.map((p) => p.error))}::text[]) AS x WHERE
           true${guard}
       ON CONFLICT (projection, event_id) DO UPDATE SET error = excluded.error, position = excluded.position`);
  }
  if (checkpoints.length > 0 && !stored) {
    parts.push(`INSERT INTO ${schema}.checkpoints (projection, version, position)
       SELECT * FROM unnest(${param(checkpoints.map((c) => c.projection))}::text[],
         ${param(checkpoints.map((c) => c.version))}::int[], ${param(checkpoints.map((c) => c.position))}::text[])
       ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position,
         updated_at = now()`);
  }
  if (parts.length === 0) return null;
  const ctes = parts.map((part, i) => `w${i} AS (${part} RETURNING 1)`);
  // The guard reads what the checkpoint update (w0) returned: every row matched, or nothing is written.
  if (stored) ctes.splice(1, 0, `guard AS (SELECT count(*) = ${param(checkpoints.length)} AS ok FROM w0)`);
  return { text: `WITH ${ctes.join(',\n')} SELECT ${stored ? '(SELECT ok FROM guard)' : 'true'} AS ok`, values };
}
