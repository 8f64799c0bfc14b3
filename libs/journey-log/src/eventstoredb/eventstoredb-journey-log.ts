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
import { upcast, validateEvent, type JourneyEvent } from '../../../../schemas/src';
import { BackboneError, VersionConflictError } from '../../../errors/src';
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

  /** Checks that the server answers (and these credentials may read `$all`): a server that is down stops the app at start. */
  async start(): Promise<void> {
    try {
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) void resolved;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** The journey's stored events (upcast), or none when the stream does not exist. */
  private async readStream(journeyId: string): Promise<Array<StoredEvent & { position: string }>> {
    const stored: Array<StoredEvent & { position: string }> = [];
    try {
      for await (const resolved of this.client.readStream(streamName(this.prefix, journeyId), { direction: FORWARDS, fromRevision: START })) {
        if (!resolved.event) continue;
        const decoded = fromRecordedEvent(resolved.event as RecordedEventFields);
        if (decoded.position === null) throw new BackboneError('log_unavailable', 'this EventStoreDB server does not report event positions on stream reads (22.6 or later needed)');
        stored.push({ event: upcast(decoded.event), position: decoded.position, journeyVersion: decoded.journeyVersion });
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw unavailable(error);
    }
    return stored;
  }

  private async positionAt(journeyId: string, revision: bigint): Promise<string> {
    for await (const resolved of this.client.readStream(streamName(this.prefix, journeyId), { direction: FORWARDS, fromRevision: revision, maxCount: 1 })) {
      const decoded = resolved.event && fromRecordedEvent(resolved.event as RecordedEventFields);
      if (decoded?.position) return decoded.position;
    }
    throw new BackboneError('log_unavailable', `EventStoreDB did not return event ${revision} of journey ${journeyId} just appended`);
  }

  async append(events: JourneyEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expectations = options.expectedVersions ?? {};
    const journeys = [...new Set([...events.map((e) => e.subject), ...Object.keys(expectations)])];
    const byJourney = new Map<string, JourneyEvent[]>(journeys.map((j) => [j, []]));
    for (const event of events) byJourney.get(event.subject)!.push(event);

    // Every expectation first, so a conflict writes nothing.
    const current = new Map<string, Awaited<ReturnType<EventStoreJourneyLog['readStream']>>>();
    for (const journeyId of journeys) current.set(journeyId, await this.readStream(journeyId));
    for (const [journeyId, expected] of Object.entries(expectations)) {
      const actual = current.get(journeyId)!.length;
      if (actual !== expected) throw new VersionConflictError(journeyId, expected, actual);
    }

    let accepted = 0;
    let position: string | null = null;
    const journeyVersions: Record<string, number> = {};
    const written: string[] = [];
    for (const journeyId of journeys) {
      const batch = byJourney.get(journeyId)!;
      let stored = current.get(journeyId)!;
      for (let attempt = 1; ; attempt++) {
        const held = new Map(stored.map((s) => [s.event.id, s.position]));
        const fresh: JourneyEvent[] = [];
        for (const event of batch) {
          if (held.has(event.id) || fresh.some((f) => f.id === event.id)) continue;
          fresh.push(event);
        }
        for (const event of batch) {
          const at = held.get(event.id);
          if (at !== undefined) position = eventStorePositions.merge(position, at);
        }
        if (fresh.length === 0) {
          journeyVersions[journeyId] = stored.length;
          break;
        }
        try {
          const result = await this.client.appendToStream(
            streamName(this.prefix, journeyId),
            fresh.map((event) => {
              const data = toEventData(event);
              return jsonEvent({ id: data.id, type: data.type, data: data.data as JSONType, metadata: data.metadata as JSONType });
            }),
            { expectedRevision: expectedRevision(stored.length) },
          );
          accepted += fresh.length;
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
            continue;
          }
          if (written.length > 0) {
            mapped.message += ` (journeys already written by this batch: ${written.join(', ')}; retrying the same batch completes it without duplicates)`;
          }
          throw mapped;
        }
      }
    }
    if (position === null) throw new BackboneError('validation_failed', 'an append needs at least one event');
    return { accepted, duplicates: events.length - accepted, position, journeyVersions };
  }

  async readJourney(journeyId: string, bound: ReadBound = {}): Promise<StoredEvent[]> {
    const limitTime = bound.time === undefined ? undefined : Date.parse(bound.time);
    return (await this.readStream(journeyId)).filter(
      (s) => (bound.position === undefined || eventStorePositions.reached(bound.position, s.position)) && (limitTime === undefined || Date.parse(s.event.time) <= limitTime),
    );
  }

  async journeyVersion(journeyId: string): Promise<number> {
    try {
      for await (const resolved of this.client.readStream(streamName(this.prefix, journeyId), { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        if (resolved.event) return versionOf(resolved.event.revision);
      }
      return 0;
    } catch (error) {
      if (isStreamNotFound(error)) return 0;
      throw unavailable(error);
    }
  }

  /** A journey event of `$all`, or null for events of other streams. */
  private decodeAll(resolved: AllStreamResolvedEvent | ResolvedEvent): { stored: StoredEvent | null; invalid: InvalidRecord | null; position: string | null } {
    const recorded = resolved.event as RecordedEventFields | undefined;
    if (!recorded || journeyIdOf(this.prefix, recorded.streamId) === null) return { stored: null, invalid: null, position: null };
    const position = recorded.position ? eventStoreToken(recorded.position) : null;
    try {
      const decoded = fromRecordedEvent(recorded);
      // Anyone who can write to the store can write to these streams: check what the appender checked.
      const checked = validateEvent(decoded.event);
      if (!checked.ok) throw new Error(checked.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
      return { stored: { event: upcast(decoded.event), position: decoded.position!, journeyVersion: decoded.journeyVersion }, invalid: null, position };
    } catch (error) {
      const at = position ?? `${recorded.streamId}@${recorded.revision}`;
      return { stored: null, invalid: { position: at, id: String((recorded.metadata as { id?: unknown } | null)?.id ?? at), type: recorded.type, error: `invalid record: ${(error as Error).message}` }, position };
    }
  }

  async readAll(after: string | null, limit: number): Promise<StoredEvent[]> {
    const found: StoredEvent[] = [];
    let from = after;
    for (;;) {
      let read = 0;
      let last: string | null = null;
      try {
        for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition: from === null ? START : toPosition(from), maxCount: READ_PAGE })) {
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
        const page: AsyncIterable<AllStreamResolvedEvent> = this.client.readAll({ direction: BACKWARDS, fromPosition: from === null ? END : toPosition(from), maxCount: READ_PAGE });
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
      throw new BackboneError('validation_failed', 'EventStoreDB has no partitions to share between readers: run one projector (no PROJECTOR_GROUP)');
    }
    const batchSize = options.batchSize ?? 1000;
    const subscription = this.client.subscribeToAll({
      fromPosition: after === null ? START : toPosition(after),
      filter: journeyStreamFilter(this.prefix),
    });
    let fail: (error: unknown) => void = () => undefined;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      fail = reject;
      finish = resolve;
    });
    let stopped = false;
    let buffer: StoredEvent[] = [];
    let invalid: InvalidRecord[] = [];
    let flushing: Promise<void> | null = null;
    const stopWith = (error: unknown) => {
      if (stopped) return;
      stopped = true;
      this.subscriptions.delete(stop);
      void subscription.unsubscribe().catch(() => undefined);
      fail(error);
    };
    const flush = async () => {
      while (!stopped && (buffer.length > 0 || invalid.length > 0)) {
        const batch = buffer.splice(0, batchSize);
        const bad = invalid.splice(0);
        if (bad.length > 0) {
          if (!options.onInvalid) throw new BackboneError('validation_failed', `invalid record on the log at ${bad[0].position}: ${bad[0].error}`);
          await options.onInvalid(bad);
        }
        if (batch.length > 0) await handler(batch, batch[batch.length - 1].position);
      }
    };
    const schedule = () => {
      if (flushing || stopped) return;
      subscription.pause();
      flushing = flush().then(
        () => {
          flushing = null;
          if (!stopped) subscription.resume();
        },
        (error: unknown) => {
          flushing = null;
          stopWith(error);
        },
      );
    };
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      if (stopped) return;
      const { stored, invalid: bad } = this.decodeAll(resolved);
      if (stored && !(after !== null && eventStorePositions.reached(after, stored.position))) buffer.push(stored);
      if (bad) invalid.push(bad);
      if (buffer.length >= batchSize) schedule();
      else setImmediate(schedule);
    });
    subscription.on('error', (error: unknown) => stopWith(unavailable(error)));
    subscription.on('close', () => stopWith(new BackboneError('log_unavailable', 'the EventStoreDB subscription was closed by the server', { retriable: true })));
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      this.subscriptions.delete(stop);
      await subscription.unsubscribe().catch(() => undefined);
      await flushing?.catch(() => undefined);
      buffer = [];
      invalid = [];
      finish();
    };
    this.subscriptions.add(stop);
    return { done, stop };
  }

  async close(): Promise<void> {
    for (const stop of [...this.subscriptions]) await stop();
    await this.client.dispose().catch(() => undefined);
  }
}

function toPosition(token: string) {
  return parseEventStoreToken(token);
}
