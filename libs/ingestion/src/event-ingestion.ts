import { catalog, eventKey, rulesOf, validateEvent, type Domain, type FieldError, type JourneyEvent } from '#schemas';
import { traceAppend } from '#tracing';
import { BackboneError, ClaimConflictError, DuplicateIdError, isBackboneError } from '#errors';
import type { AppendResult, JourneyLog } from '#journey-log';
import { BatchRulesCheck, type CachedFacts } from './batch-rules-check';

export interface IngestionLimits {
  /** Events per request. @defaultValue 500 */
  maxBatchEvents: number;
  /**
   * The window an event's `time` must fall in: not before `notBefore`, and at most `maxAheadMs`
   * after the clock of the ingesting process (a producer's clock may run a little ahead; year
   * 9999 is a typo or an attack, and would stay the newest fact of its journey forever).
   * @defaultValue 2000-01-01T00:00:00Z, one day ahead
   */
  eventTime?: { notBefore: string; maxAheadMs: number };
}

export const DEFAULT_EVENT_TIME_WINDOW = { notBefore: '2000-01-01T00:00:00.000Z', maxAheadMs: 86_400_000 };

export interface IngestOptions {
  /** The producer's domain: only its event types are accepted. Null accepts every type. */
  owner: Domain | null;
  /** Optimistic concurrency for a single-journey batch: the journey's version before the append. */
  expectedVersion?: number;
  /**
   * What the caller's credential may not append: the field errors of an event (its `type` or its `source`), none when
   * it may. One event refused refuses the whole batch (`forbidden`, nothing appended).
   */
  refusedFor?: (event: JourneyEvent) => Array<{ path: string; message: string }>;
}

export interface IngestResult {
  /** 201 when something was appended, 200 when every event had been seen before. */
  status: 201 | 200;
  accepted: number;
  position: string;
}

/** Raised with every field error of a request, so the producer can fix them all at once. */
export class IngestionError extends BackboneError {
  constructor(
    code:
      | 'validation_failed'
      | 'type_not_owned'
      | 'forbidden'
      | 'domain_rule_violated'
      | 'payload_too_large'
      | 'duplicate_id'
      | 'already_claimed',
    message: string,
    readonly errors: FieldError[],
  ) {
    super(code, message, { details: errors });
  }
}

const RETRIES_ON_CONFLICT = 5;
/** Journeys whose facts are kept between requests (checked against the journey's version before use). */
const FACTS_CACHE_SIZE = 10_000;

/**
 * The one ingestion path of every producer: validate (zod), check ownership, check the domain
 * rules against the journeys the batch touches, then append atomically with the versions the
 * rules were checked at, so a concurrent writer cannot slip a conflicting fact in between.
 */
export class EventIngestion {
  private readonly factsCache = new Map<string, CachedFacts>();

  constructor(
    private readonly log: JourneyLog,
    private readonly limits: IngestionLimits = { maxBatchEvents: 500 },
    private readonly now: () => number = Date.now,
  ) {}

  async ingest(body: unknown, options: IngestOptions): Promise<IngestResult> {
    const raw = Array.isArray(body) ? body : [body];
    if (raw.length === 0)
      throw new IngestionError('validation_failed', 'the batch is empty', [
        { index: 0, path: '(body)', message: 'send one event or a non-empty array' },
      ]);
    if (raw.length > this.limits.maxBatchEvents) {
      throw new IngestionError('payload_too_large', `a batch holds at most ${this.limits.maxBatchEvents} events`, [
        {
          index: this.limits.maxBatchEvents,
          path: '(body)',
          message: `${raw.length} events is over the limit of ${this.limits.maxBatchEvents}`,
        },
      ]);
    }
    const events = this.validate(raw);
    this.checkOwnership(events, options.owner);
    if (options.refusedFor) {
      const refused = events.flatMap((event, index) => options.refusedFor!(event).map((e) => ({ index, ...e })));
      if (refused.length > 0)
        throw new IngestionError('forbidden', 'this credential may not append these events', refused);
    }
    const subjects = new Set(events.map((e) => e.subject));
    if (options.expectedVersion !== undefined && subjects.size !== 1) {
      throw new IngestionError('validation_failed', 'expectedVersion applies to a batch of one journey', [
        { index: 0, path: 'expectedVersion', message: 'the batch spans several journeys' },
      ]);
    }
    return traceAppend(
      events as unknown as Array<Record<string, unknown>>,
      { 'journey.log': this.log.kind },
      async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            const result = await this.checkAndAppend(events, options.expectedVersion);
            return { status: result.accepted > 0 ? 201 : 200, accepted: result.accepted, position: result.position };
          } catch (error) {
            // Our own read-check-append raced another writer: check again against the new state.
            const ownCheck = options.expectedVersion === undefined;
            if (!ownCheck || !isBackboneError(error, 'version_conflict') || attempt >= RETRIES_ON_CONFLICT) throw error;
          }
        }
      },
    );
  }

  private validate(raw: unknown[]): JourneyEvent[] {
    const errors: FieldError[] = [];
    const events: JourneyEvent[] = [];
    const window = this.limits.eventTime ?? DEFAULT_EVENT_TIME_WINDOW;
    const notBefore = Date.parse(window.notBefore);
    const latest = this.now() + window.maxAheadMs;
    raw.forEach((item, index) => {
      const result = validateEvent(item, index);
      if (!result.ok) {
        errors.push(...result.errors);
        return;
      }
      if (rulesOf(result.event.type).appendedByBackbone)
        errors.push({
          index,
          path: 'type',
          message: `${result.event.type} is appended by the backbone itself (the erasure), never by a producer`,
        });
      if (result.event.personaldatakey !== undefined)
        errors.push({
          index,
          path: 'personaldatakey',
          message: 'is set by the backbone as it encrypts personal data; a producer does not send it',
        });
      const time = Date.parse(result.event.time);
      if (time < notBefore) errors.push({ index, path: 'time', message: `must not be before ${window.notBefore}` });
      else if (time > latest)
        errors.push({
          index,
          path: 'time',
          message:
            `must not be more than ${window.maxAheadMs / 1000} s ahead of the server's clock ` +
            `(${new Date(latest).toISOString()})`,
        });
      else events.push(result.event);
    });
    if (errors.length > 0)
      throw new IngestionError('validation_failed', 'invalid events; nothing was appended', errors);
    // One request states each event once: a key twice is a producer's mistake, whatever the content.
    const first = new Map<string, number>();
    for (const [index, event] of events.entries()) {
      const key = eventKey(event);
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, index);
      else
        errors.push({
          index,
          path: 'id',
          message: `the batch holds source ${event.source} and id ${event.id} already, at index ${earlier}`,
        });
    }
    if (errors.length > 0)
      throw new IngestionError('validation_failed', 'an event key twice in one batch; nothing was appended', errors);
    return events;
  }

  private checkOwnership(events: JourneyEvent[], owner: Domain | null): void {
    if (owner === null) return;
    const errors = events.flatMap((event, index) =>
      catalog[event.type].owner === owner
        ? []
        : [
            {
              index,
              path: 'type',
              message: `${event.type} belongs to the ${catalog[event.type].owner} service, not ${owner}`,
            },
          ],
    );
    if (errors.length > 0) throw new IngestionError('type_not_owned', 'event types not owned by this service', errors);
  }

  private async checkAndAppend(events: JourneyEvent[], expectedVersion: number | undefined): Promise<AppendResult> {
    const check = new BatchRulesCheck(this.log, events, (journeyId) => this.factsCache.get(journeyId));
    const errors = await check.violations();
    if (errors.length > 0)
      throw new IngestionError('domain_rule_violated', 'domain rules broken; nothing was appended', errors);
    let result: AppendResult;
    try {
      result = await this.log.append(events, { expectedVersions: check.expectedVersions(expectedVersion) });
    } catch (error) {
      throw this.refusal(error, events);
    }
    // The checked facts now match the log, unless the log skipped a key we folded in.
    if (result.duplicates === 0)
      for (const [journeyId, cached] of check.settled(result)) this.remember(journeyId, cached);
    return result;
  }

  /** The log's refusals of a key or a claim, as field errors naming the events (never who holds a claim). */
  private refusal(error: unknown, events: readonly JourneyEvent[]): unknown {
    if (error instanceof DuplicateIdError) {
      const taken = new Set(error.keys.map(eventKey));
      const errors = events.flatMap((event, index) =>
        taken.has(eventKey(event))
          ? [
              {
                index,
                path: 'id',
                message: `source ${event.source} has an event with id ${event.id} already, with other content`,
              },
            ]
          : [],
      );
      return new IngestionError(
        'duplicate_id',
        'an event key is taken by an event with other content; nothing was appended',
        errors,
      );
    }
    if (error instanceof ClaimConflictError) {
      const errors = error.refused.map(({ event, key, path }) => ({
        index: event,
        path,
        message: `${claimedFact(key, events[event])} belongs to another customer`,
      }));
      return new IngestionError('already_claimed', 'facts of another customer; nothing was appended', errors);
    }
    return error;
  }

  private remember(journeyId: string, cached: CachedFacts): void {
    this.factsCache.delete(journeyId);
    this.factsCache.set(journeyId, cached);
    if (this.factsCache.size > FACTS_CACHE_SIZE) this.factsCache.delete(this.factsCache.keys().next().value!);
  }
}

/**
 * What a claim key names, for its refusal: the order or case id, or the identity as the producer sent it (its own
 * data; the key holds only its keyed hash).
 */
function claimedFact(key: string, event: JourneyEvent | undefined): string {
  const kind = key.slice(0, key.indexOf(':'));
  if (kind !== 'identity') return `${kind} ${key.slice(kind.length + 1)}`;
  const data = event?.data as { kind?: string; value?: string } | undefined;
  return `identity ${data?.value ?? key.slice(kind.length + 1)}`;
}
