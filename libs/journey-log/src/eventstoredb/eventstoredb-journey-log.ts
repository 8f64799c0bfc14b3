import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  jsonEvent,
  type AllStreamResolvedEvent,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { ClaimLedger, claimKeys, eventKey, sameEvent, upcast, validateEvent, type JourneyEvent } from '#schemas';
import { BackboneError, ClaimConflictError, DuplicateIdError, VersionConflictError } from '#errors';
import type {
  AppendOptions,
  AppendResult,
  BatchHandler,
  InvalidRecord,
  JourneyLog,
  LogSubscription,
  ReadBound,
  StoredEvent,
  SubscribeOptions,
} from '../journey-log.port';
import { eventStorePositions, eventStoreToken, parseEventStoreToken } from './eventstoredb-position';
import {
  claimHolder,
  claimStreamName,
  expectedRevision,
  fromRecordedEvent,
  journeyIdOf,
  journeyStreamFilter,
  streamName,
  toBackboneError,
  toEventData,
  versionOf,
  type RecordedEventFields,
} from './eventstoredb-record';
import { batchedSubscription } from './eventstoredb-subscription';

export interface EventStoreJourneyLogOptions {
  /** `esdb://host:2113?tls=false`, or `esdb+discover://...` for a cluster. */
  connectionString: string;
  /** Journeys are the streams `<prefix><journeyId>`; the `$all` subscription filters on it. @defaultValue 'journey-' */
  streamPrefix?: string;
}

/** Own checks of ids and versions raced another writer: tried again this many times. */
const RETRIES_ON_RACE = 5;
const READ_PAGE = 500;

function unavailable(error: unknown): BackboneError {
  return toBackboneError(error, '', 0);
}

function isStreamNotFound(error: unknown): boolean {
  return (error as { type?: string } | null)?.type === 'stream-not-found';
}

/**
 * The journey log on EventStoreDB (or KurrentDB): one stream per journey, appended with the
 * expected revision, read back by stream for `readJourney` and from `$all` (filtered by the
 * stream prefix) for projections. EventStoreDB needs no index beside it: ids, versions and
 * per-journey reads are all answered by the journey's stream.
 *
 * A batch spanning several journeys is not one transaction here (EventStoreDB appends to one
 * stream at a time): every expected version is checked first, then the journeys are written
 * one after the other, each atomically. If writing one fails, the ones before it stay written
 * and the error says which; retrying the same batch (same ids) completes it without duplicates,
 * because an append skips the ids its journey already holds.
 */
export class EventStoreJourneyLog implements JourneyLog {
  readonly kind = 'eventstoredb';
  readonly positions = eventStorePositions;
  private readonly client: EventStoreDBClient;
  private readonly prefix: string;
  private readonly subscriptions = new Set<() => Promise<void>>();

  constructor(options: EventStoreJourneyLogOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.prefix = options.streamPrefix ?? 'journey-';
  }

  /**
   * Checks that the server answers (and these credentials may read `$all`): a server that is down stops the app at
   * start.
   */
  async start(): Promise<void> {
    try {
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))
        void resolved;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** The journey's stored events (upcast), or none when the stream does not exist. */
  private async readStream(journeyId: string): Promise<Array<StoredEvent & { position: string }>> {
    const stored: Array<StoredEvent & { position: string }> = [];
    try {
      for await (const resolved of this.client.readStream(streamName(this.prefix, journeyId), {
        direction: FORWARDS,
        fromRevision: START,
      })) {
        if (!resolved.event) continue;
        const decoded = fromRecordedEvent(resolved.event);
        if (decoded.position === null)
          throw new BackboneError(
            'log_unavailable',
            'this EventStoreDB server does not report event positions on stream reads (22.6 or later needed)',
          );
        stored.push({
          event: upcast(decoded.event),
          position: decoded.position,
          journeyVersion: decoded.journeyVersion,
          sequence: decoded.sequence!,
        });
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw unavailable(error);
    }
    return stored;
  }

  private async positionAt(journeyId: string, revision: bigint): Promise<string> {
    for await (const resolved of this.client.readStream(streamName(this.prefix, journeyId), {
      direction: FORWARDS,
      fromRevision: revision,
      maxCount: 1,
    })) {
      const decoded = resolved.event && fromRecordedEvent(resolved.event);
      if (decoded?.position) return decoded.position;
    }
    throw new BackboneError(
      'log_unavailable',
      `EventStoreDB did not return event ${revision} of journey ${journeyId} just appended`,
    );
  }

  async append(events: JourneyEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expectations = options.expectedVersions ?? {};
    const journeys = [...new Set([...events.map((e) => e.subject), ...Object.keys(expectations)])];
    const byJourney = new Map<string, JourneyEvent[]>(journeys.map((j) => [j, []]));
    for (const event of events) byJourney.get(event.subject)!.push(event);

    // Every expectation, key and claim first, so a conflict writes nothing.
    const current = new Map<string, Awaited<ReturnType<EventStoreJourneyLog['readStream']>>>();
    for (const journeyId of journeys) current.set(journeyId, await this.readStream(journeyId));
    for (const [journeyId, expected] of Object.entries(expectations)) {
      const actual = current.get(journeyId)!.length;
      if (actual !== expected) throw new VersionConflictError(journeyId, expected, actual);
    }
    await this.checkKeys(events, current);
    const fresh = (event: JourneyEvent) =>
      !current.get(event.subject)!.some((s) => eventKey(s.event) === eventKey(event));
    await this.writeClaims(events, fresh);
    await this.listInDirectory(
      journeys.filter((journeyId) => current.get(journeyId)!.length === 0 && byJourney.get(journeyId)!.length > 0),
    );

    let accepted = 0;
    let position: string | null = null;
    const journeyVersions: Record<string, number> = {};
    const written: string[] = [];
    const sequenceOf = new Map<string, number>();
    for (const journeyId of journeys) {
      const batch = byJourney.get(journeyId)!;
      let stored = current.get(journeyId)!;
      for (let attempt = 1; ; attempt++) {
        const held = new Map(stored.map((s) => [eventKey(s.event), s.position]));
        for (const s of stored) sequenceOf.set(eventKey(s.event), s.sequence);
        const toWrite = new Map<string, JourneyEvent>();
        for (const event of batch) {
          const key = eventKey(event);
          if (!held.has(key) && !toWrite.has(key)) toWrite.set(key, event);
          const at = held.get(key);
          if (at !== undefined) position = eventStorePositions.merge(position, at);
        }
        if (toWrite.size === 0) {
          journeyVersions[journeyId] = stored.length;
          break;
        }
        try {
          const result = await this.client.appendToStream(
            streamName(this.prefix, journeyId),
            [...toWrite.values()].map((event) => {
              const data = toEventData(event);
              return jsonEvent({
                id: data.id,
                type: data.type,
                data: data.data as JSONType,
                metadata: data.metadata,
              });
            }),
            { expectedRevision: expectedRevision(stored.length) },
          );
          accepted += toWrite.size;
          // One append is one commit: its events share the commit position.
          for (const key of toWrite.keys())
            sequenceOf.set(key, result.position ? Number(result.position.commit) : Number.NaN);
          journeyVersions[journeyId] = versionOf(result.nextExpectedRevision);
          written.push(journeyId);
          // The position of our last event as reads report it (an append's own position is that of its commit).
          position = eventStorePositions.merge(position, await this.positionAt(journeyId, result.nextExpectedRevision));
          break;
        } catch (error) {
          const mapped = toBackboneError(error, journeyId, expectations[journeyId] ?? stored.length);
          // Our own read raced another writer: read again (its events may be ours, retried).
          const ownCheck = expectations[journeyId] === undefined;
          if (mapped instanceof VersionConflictError && ownCheck && attempt < RETRIES_ON_RACE) {
            stored = await this.readStream(journeyId);
            await this.checkKeys(batch, new Map([[journeyId, stored]]));
            continue;
          }
          if (written.length > 0) {
            mapped.message +=
              ` (journeys already written by this batch: ${written.join(', ')}; retrying the ` +
              `same batch completes it without duplicates)`;
          }
          throw mapped;
        }
      }
    }
    if (position === null) throw new BackboneError('validation_failed', 'an append needs at least one event');
    return {
      accepted,
      duplicates: events.length - accepted,
      position,
      journeyVersions,
      sequences: events.map((e) => sequenceOf.get(eventKey(e)) ?? Number.NaN),
    };
  }

  /**
   * Refuses the batch when a key it holds is stored, or repeated in it, with other content.
   * Stored events are read back upcast: compared upcast too.
   */
  private async checkKeys(
    events: readonly JourneyEvent[],
    stored: ReadonlyMap<string, ReadonlyArray<StoredEvent>>,
  ): Promise<void> {
    const known = new Map<string, JourneyEvent>();
    for (const list of stored.values()) for (const s of list) known.set(eventKey(s.event), s.event);
    const taken: Array<{ source: string; id: string }> = [];
    for (const event of events) {
      const key = eventKey(event);
      const before = known.get(key);
      if (before === undefined) known.set(key, upcast(event));
      else if (!sameEvent(before, upcast(event))) taken.push({ source: event.source, id: event.id });
    }
    if (taken.length > 0) throw new DuplicateIdError(taken);
  }

  /**
   * The claims of the batch's new events (see `claimsOf`), decided on the claims' streams and
   * written there before the journeys are: one held by another customer refuses the batch with
   * nothing written. Each claim is written with the stream's expected revision, so two customers
   * claiming at once cannot both succeed; should one lose that race after claims of its batch were
   * written, those are released again and it fails with a version conflict, which the ingestion
   * retries (reading the claims again). (EventStoreDB has no transaction across streams: a batch
   * whose journey append then fails keeps its claims, which the same journey's retry reuses.)
   */
  private async writeClaims(events: readonly JourneyEvent[], fresh: (event: JourneyEvent) => boolean): Promise<void> {
    const candidates = [...events.entries()]
      .filter(([, event]) => fresh(event))
      .map(([index, event]) => ({ index, event: upcast(event) }));
    const keys = claimKeys(candidates.map((c) => c.event));
    if (keys.length === 0) return;
    const last = new Map<string, { type: string; data: unknown; revision: bigint } | undefined>();
    for (const key of keys) last.set(key, await this.lastClaimEvent(key));
    const ledger = new ClaimLedger({ get: (key) => claimHolder(last.get(key)) });
    const refused: Array<{ event: number; key: string; path: string }> = [];
    for (const { index, event } of candidates)
      refused.push(...ledger.apply(event).map((c) => ({ event: index, key: c.key, path: c.path })));
    if (refused.length > 0) throw new ClaimConflictError(refused);
    const done: Array<{ key: string; holder: string | null }> = [];
    try {
      for (const change of ledger.changes()) {
        const before = last.get(change.key);
        const previous = claimHolder(before);
        const holder = change.holder ?? previous!;
        await this.client.appendToStream(
          claimStreamName(this.prefix, change.key),
          [jsonEvent({ type: change.holder === null ? 'released' : 'claimed', data: { journeyId: holder } })],
          { expectedRevision: before === undefined ? 'no_stream' : before.revision },
        );
        done.push({ key: change.key, holder: previous ?? null });
      }
    } catch (error) {
      // Another writer took or released a claim since it was read: undo ours, and say which.
      for (const undo of done.reverse()) {
        await this.client
          .appendToStream(claimStreamName(this.prefix, undo.key), [
            jsonEvent({ type: undo.holder === null ? 'released' : 'claimed', data: { journeyId: undo.holder ?? '' } }),
          ])
          .catch(() => undefined);
      }
      // Retriable: the writer reads the claims again (they may be held now) and decides anew.
      throw toBackboneError(error, '(claims)', 0);
    }
  }

  private async lastClaimEvent(key: string): Promise<{ type: string; data: unknown; revision: bigint } | undefined> {
    try {
      for await (const resolved of this.client.readStream(claimStreamName(this.prefix, key), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        if (resolved.event)
          return { type: resolved.event.type, data: resolved.event.data, revision: resolved.event.revision };
      }
      return undefined;
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw unavailable(error);
    }
  }

  /**
   * EventStoreDB cannot list streams by prefix (short of reading all of `$all`): journeys whose
   * id has a kind (`policy/...`) are listed, before their first event is written, in a directory
   * stream of that kind (see `listInDirectory`). The events of those journeys, in `$all` order.
   */
  async readJourneysByPrefix(prefix: string): Promise<StoredEvent[]> {
    const kind = journeyKind(prefix);
    if (kind !== prefix)
      throw new BackboneError(
        'invalid_parameter',
        `EventStoreDB lists journeys by kind ("policy/"), not by the prefix "${prefix}"`,
      );
    const journeyIds = new Set<string>();
    try {
      for await (const resolved of this.client.readStream(directoryStreamName(this.prefix, kind), {
        direction: FORWARDS,
        fromRevision: START,
      })) {
        const journeyId = (resolved.event?.data as { journeyId?: unknown } | undefined)?.journeyId;
        if (typeof journeyId === 'string' && journeyId.startsWith(prefix)) journeyIds.add(journeyId);
      }
    } catch (error) {
      if (!isStreamNotFound(error)) throw unavailable(error);
    }
    const events: StoredEvent[] = [];
    for (const journeyId of journeyIds) events.push(...(await this.readStream(journeyId)));
    return events.sort((a, b) => eventStorePositions.compare(a.position, b.position));
  }

  /**
   * Lists new journeys that have a kind in their kind's directory stream, before their first event (listing twice is
   * harmless).
   */
  private async listInDirectory(journeyIds: readonly string[]): Promise<void> {
    for (const journeyId of journeyIds) {
      const kind = journeyKind(journeyId);
      if (kind === null) continue;
      try {
        await this.client.appendToStream(directoryStreamName(this.prefix, kind), [
          jsonEvent({ type: 'listed', data: { journeyId } }),
        ]);
      } catch (error) {
        throw unavailable(error);
      }
    }
  }

  async readJourney(journeyId: string, bound: ReadBound = {}): Promise<StoredEvent[]> {
    const limitTime = bound.time === undefined ? undefined : Date.parse(bound.time);
    return (await this.readStream(journeyId)).filter(
      (s) =>
        (bound.position === undefined || eventStorePositions.reached(bound.position, s.position)) &&
        (limitTime === undefined || Date.parse(s.event.time) <= limitTime),
    );
  }

  async journeyVersion(journeyId: string): Promise<number> {
    try {
      for await (const resolved of this.client.readStream(streamName(this.prefix, journeyId), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        if (resolved.event) return versionOf(resolved.event.revision);
      }
      return 0;
    } catch (error) {
      if (isStreamNotFound(error)) return 0;
      throw unavailable(error);
    }
  }

  /** A journey event of `$all`, or null for events of other streams. */
  private decodeAll(resolved: AllStreamResolvedEvent | ResolvedEvent): {
    stored: StoredEvent | null;
    invalid: InvalidRecord | null;
    position: string | null;
  } {
    const recorded = resolved.event as RecordedEventFields | undefined;
    if (!recorded || journeyIdOf(this.prefix, recorded.streamId) === null)
      return { stored: null, invalid: null, position: null };
    const position = recorded.position ? eventStoreToken(recorded.position) : null;
    try {
      const decoded = fromRecordedEvent(recorded);
      // Anyone who can write to the store can write to these streams: check what the appender checked.
      const checked = validateEvent(decoded.event);
      if (!checked.ok) throw new Error(checked.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
      return {
        stored: {
          event: upcast(decoded.event),
          position: decoded.position!,
          journeyVersion: decoded.journeyVersion,
          sequence: decoded.sequence!,
          ...(decoded.recordedAt !== undefined ? { recordedAt: decoded.recordedAt } : {}),
        },
        invalid: null,
        position,
      };
    } catch (error) {
      const at = position ?? `${recorded.streamId}@${recorded.revision}`;
      return {
        stored: null,
        invalid: {
          position: at,
          id: recordedId(recorded.metadata) ?? at,
          type: recorded.type,
          error: `invalid record: ${(error as Error).message}`,
        },
        position,
      };
    }
  }

  async readAll(after: string | null, limit: number): Promise<StoredEvent[]> {
    const found: StoredEvent[] = [];
    let from = after;
    for (;;) {
      let read = 0;
      let last: string | null = null;
      try {
        for await (const resolved of this.client.readAll({
          direction: FORWARDS,
          fromPosition: from === null ? START : toPosition(from),
          maxCount: READ_PAGE,
        })) {
          read++;
          const { stored, position } = this.decodeAll(resolved);
          const at = position ?? (resolved.event ? eventStoreToken(resolved.event.position) : null);
          if (at !== null) last = at;
          // A read from a position includes the event at it (the last one of the page before).
          if (!stored || (from !== null && eventStorePositions.reached(from, stored.position))) continue;
          found.push(stored);
          if (found.length === limit) return found;
        }
      } catch (error) {
        throw unavailable(error);
      }
      if (read < READ_PAGE || last === null || last === from) return found;
      from = last;
    }
  }

  async head(): Promise<string | null> {
    let from: string | null = null;
    try {
      for (;;) {
        let read = 0;
        let last: string | null = null;
        const page: AsyncIterable<AllStreamResolvedEvent> = this.client.readAll({
          direction: BACKWARDS,
          fromPosition: from === null ? END : toPosition(from),
          maxCount: READ_PAGE,
        });
        for await (const resolved of page) {
          read++;
          if (!resolved.event) continue;
          const at: string = eventStoreToken(resolved.event.position);
          if (journeyIdOf(this.prefix, resolved.event.streamId) !== null) return at;
          last = at;
        }
        if (read < READ_PAGE || last === null || last === from) return null;
        from = last;
      }
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * A catch-up subscription to `$all` filtered on the journey streams' prefix, after `after`.
   * Events arriving together go to the handler together (up to `batchSize`); the subscription is
   * paused while the handler runs. EventStoreDB has no partitions to share: a reader group is
   * refused (run one projector per read store).
   */
  subscribe(after: string | null, handler: BatchHandler, options: SubscribeOptions = {}): LogSubscription {
    if (options.group) {
      throw new BackboneError(
        'validation_failed',
        'EventStoreDB has no partitions to share between readers: run one projector (no PROJECTOR_GROUP)',
      );
    }
    const subscription = this.client.subscribeToAll({
      fromPosition: after === null ? START : toPosition(after),
      filter: journeyStreamFilter(this.prefix),
    });
    const stop = () => batched.stop();
    const batched: LogSubscription = batchedSubscription<AllStreamResolvedEvent>(
      subscription,
      (resolved) => {
        const { stored, invalid } = this.decodeAll(resolved);
        return {
          stored: stored && !(after !== null && eventStorePositions.reached(after, stored.position)) ? stored : null,
          invalid,
        };
      },
      handler,
      { ...options, onEnd: () => this.subscriptions.delete(stop) },
    );
    this.subscriptions.add(stop);
    return { done: batched.done, stop };
  }

  async close(): Promise<void> {
    for (const stop of [...this.subscriptions]) await stop();
    await this.client.dispose().catch(() => undefined);
  }
}

function toPosition(token: string) {
  return parseEventStoreToken(token);
}

/** The kind of a journey id (`policy/` of `policy/returns-standard`), or null for a customer's journey. */
function journeyKind(journeyId: string): string | null {
  const slash = journeyId.indexOf('/');
  return slash <= 0 ? null : journeyId.slice(0, slash + 1);
}

/** The directory stream of a kind of journeys; outside the journey streams' prefix, like the claims. */
function directoryStreamName(prefix: string, kind: string): string {
  return `directory.${prefix}${kind}`;
}

/** The event id a record's metadata names, if it names one. */
function recordedId(metadata: unknown): string | undefined {
  const id = (metadata as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}
