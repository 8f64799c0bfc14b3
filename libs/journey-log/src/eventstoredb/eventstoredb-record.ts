import { createHash } from 'node:crypto';
import { streamNameFilter } from '@eventstore/db-client';
import { eventKey, type JourneyEvent } from '#schemas';
import { BackboneError, VersionConflictError } from '#errors';
import { eventStoreToken, type AllPosition } from './eventstoredb-position';

/**
 * How a journey event is written to EventStoreDB and read back: pure functions, no I/O, so the
 * mapping is tested where no server runs.
 */

/** A name-based UUID (RFC 4122 version 5: SHA-1 of namespace and name). */
export function nameBasedUuid(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const EVENT_ID_NAMESPACE = '6f1b7c52-d2a9-4c3e-9f0e-5a3d8b2c4e71';

/**
 * EventStoreDB event ids must be UUIDs: a journey event's key (source and id, as CloudEvents keys
 * events) maps to a name-based UUID, the same on every retry, and different for two sources.
 */
export function eventStoreId(event: { source: string; id: string }): string {
  return nameBasedUuid(EVENT_ID_NAMESPACE, eventKey(event));
}

/**
 * The stream of one claim (an order, a case, an identity: see `claimsOf`): `claimed` and
 * `released` events naming the journey. Outside the journey streams' prefix, so the `$all`
 * subscription of projections never sees it.
 */
export function claimStreamName(prefix: string, claim: string): string {
  return `claim.${prefix}${claim}`;
}

/** Who holds a claim, from the last event of its stream (undefined: nobody). */
export function claimHolder(last: { type: string; data: unknown } | undefined): string | undefined {
  if (!last || last.type !== 'claimed') return undefined;
  const journeyId = (last.data as { journeyId?: unknown } | null)?.journeyId;
  return typeof journeyId === 'string' ? journeyId : undefined;
}

/** One stream per journey, under a prefix that the `$all` subscription filters on. */
export function streamName(prefix: string, journeyId: string): string {
  return `${prefix}${journeyId}`;
}

export function journeyIdOf(prefix: string, stream: string): string | null {
  return stream.startsWith(prefix) ? stream.slice(prefix.length) : null;
}

/** The server-side filter of the `$all` subscription: the journey streams, nothing else. */
export function journeyStreamFilter(prefix: string) {
  return streamNameFilter({ prefixes: [prefix] });
}

/** What `jsonEvent` takes: the event type and data as they are, every other CloudEvents attribute in the metadata. */
export interface EventStoreEventData {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export function toEventData(event: JourneyEvent): EventStoreEventData {
  const { data, ...attributes } = event;
  return { id: eventStoreId(event), type: event.type, data, metadata: attributes };
}

/** The fields of a recorded event this adapter reads (a subset of the client's `JSONRecordedEvent`). */
export interface RecordedEventFields {
  streamId: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  position?: AllPosition;
  /** When the server wrote it. */
  created?: Date;
}

export interface DecodedRecord {
  event: JourneyEvent;
  /** 1-based place in its journey: the stream revision plus one. */
  journeyVersion: number;
  /** Absent when the server did not say (reads of a single stream on old servers). */
  position: string | null;
  /** The commit position, as the port's `sequence` (null with `position`). */
  sequence: number | null;
  /** When the server wrote it (epoch ms), as the port's `recordedAt`. */
  recordedAt?: number;
}

/**
 * The journey event of a recorded event: attributes from the metadata (written by this adapter),
 * data from the data. Throws when the metadata is not a CloudEvents envelope (an event written
 * around the backbone); callers validate the result like any other input.
 */
export function fromRecordedEvent(recorded: RecordedEventFields): DecodedRecord {
  const metadata = recorded.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata instanceof Uint8Array) {
    throw new Error(`event ${recorded.streamId}@${recorded.revision} has no CloudEvents metadata`);
  }
  const event = { ...(metadata as Record<string, unknown>), data: recorded.data } as JourneyEvent;
  // Servers before 22.6 send no position on stream reads (zeros on the wire): none, not the start of the log.
  const known =
    recorded.position && (recorded.position.commit !== 0n || recorded.position.prepare !== 0n)
      ? recorded.position
      : null;
  return {
    event,
    journeyVersion: Number(recorded.revision) + 1,
    position: known ? eventStoreToken(known) : null,
    sequence: known ? Number(known.commit) : null,
    ...(recorded.created ? { recordedAt: recorded.created.getTime() } : {}),
  };
}

/** The stream state `appendToStream` expects for a journey version of the port (events so far). */
export function expectedRevision(version: number): 'no_stream' | bigint {
  if (!Number.isInteger(version) || version < 0)
    throw new RangeError(`a journey version is a whole number >= 0, not ${version}`);
  return version === 0 ? 'no_stream' : BigInt(version - 1);
}

/** The journey version of a stream whose last revision is `revision` (undefined: no stream). */
export function versionOf(revision: bigint | undefined): number {
  return revision === undefined ? 0 : Number(revision) + 1;
}

/** The client's errors as the port's: a wrong expected version is a conflict, the rest the log being unavailable. */
export function toBackboneError(error: unknown, journeyId: string, expected: number): BackboneError {
  if (error instanceof BackboneError) return error;
  const e = error as { type?: string; actualVersion?: unknown; message?: string } | null;
  if (e?.type === 'wrong-expected-version') {
    const actual = typeof e.actualVersion === 'bigint' ? Number(e.actualVersion) + 1 : 0;
    return new VersionConflictError(journeyId, expected, actual);
  }
  return new BackboneError(
    'log_unavailable',
    `the EventStoreDB journey log is unavailable: ${e?.message ?? String(error)}`,
    { retriable: true, cause: error },
  );
}
