import {
  ERASED,
  POLICY_SUBJECT_PREFIX,
  catalog,
  comparedFieldPaths,
  identityKey,
  isSealed,
  personalFieldPaths,
  sealedLookupHash,
  rulesOf,
  type EventType,
  type JourneyEvent,
} from '#schemas';
import { BackboneError } from '#errors';
import type {
  AppendOptions,
  AppendResult,
  BatchHandler,
  JourneyLog,
  LogSubscription,
  ReadBound,
  StoredEvent,
  SubscribeOptions,
} from '#journey-log';
import { fieldContext, openValue, sealValue } from './personal-data-cipher';
import type { KeyState, PersonalDataKeys } from './personal-data-keys';

/** What a reader sees for a sealed value that does not open under its key (altered bytes). */
export const UNREADABLE = '[unreadable]';

type Path = readonly string[];

/**
 * Per type, the personal paths of each version (index 0 is version 1), and of any version (for opening), and the
 * compared ones (sealed with a keyed hash of their value).
 */
const PATHS = new Map<string, { byVersion: Path[][]; any: Path[]; compared: Set<string> }>(
  (Object.keys(catalog) as EventType[]).map((type) => {
    const byVersion = catalog[type].versions.map((schema) => personalFieldPaths(schema));
    const seen = new Map(byVersion.flat().map((path) => [path.join('.'), path]));
    const compared = new Set(
      catalog[type].versions.flatMap((schema) => comparedFieldPaths(schema).map((p) => p.join('.'))),
    );
    return [type, { byVersion, any: [...seen.values()], compared }];
  }),
);

/** The keyed hash a compared value is sealed with (and compared by): its field's path and its text. */
function comparedText(path: string, text: string): string {
  return `${path}:${text}`;
}

/** Whether a string is held at `path` (`*` stepping into an array's items). */
function holdsText(value: unknown, path: Path, from = 0): boolean {
  if (from === path.length) return typeof value === 'string';
  if (value === null || typeof value !== 'object') return false;
  if (path[from] === '*') return Array.isArray(value) && value.some((item) => holdsText(item, path, from + 1));
  return holdsText((value as Record<string, unknown>)[path[from]], path, from + 1);
}

/**
 * Copies `value` with the strings at `path` (`*` stepping into an array's items) replaced by `replace`, which gets
 * the concrete path (array indexes filled in); returns `value` itself when nothing changed.
 */
function replaceAt(
  value: unknown,
  path: Path,
  replace: (text: string, at: (string | number)[]) => string,
  at: (string | number)[] = [],
): unknown {
  if (path.length === 0) return typeof value === 'string' ? replace(value, at) : value;
  const [head, ...rest] = path;
  if (head === '*') {
    if (!Array.isArray(value)) return value;
    let changed = false;
    const out = value.map((item, i) => {
      const next = replaceAt(item, rest, replace, [...at, i]);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(object, head)) return value;
  const next = replaceAt(object[head], rest, replace, [...at, head]);
  return next === object[head] ? value : { ...object, [head]: next };
}

/**
 * The journey log with personal data sealed: every adapter (SQLite, Kafka, EventStoreDB) receives events whose
 * personal fields are encrypted under their subject's data key, named by the `personaldatakey` extension; every read
 * (journeys, pages, subscriptions) gets them opened, or `"[erased]"` where the key was destroyed. Facts (types, times,
 * totals, ids) are never sealed, so rules, claims and metrics need no key. Events written in clear before (no
 * `personaldatakey`) read as they are.
 */
export class PersonalDataLog implements JourneyLog {
  readonly kind: string;
  readonly positions;

  constructor(
    private readonly inner: JourneyLog,
    private readonly keys: PersonalDataKeys,
    private readonly lookupHash: (normalised: string) => string,
    /** What the log's owner closes with it (a tool's read store, which holds the keys). */
    private readonly alsoClose?: () => Promise<void>,
  ) {
    this.kind = inner.kind;
    this.positions = inner.positions;
  }

  async append(events: JourneyEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.inner.append(await this.seal(events), options);
  }

  /** The events as the log keeps them: personal fields sealed. */
  async seal(events: readonly JourneyEvent[]): Promise<JourneyEvent[]> {
    // The erasure's own event is the one a customer's journey takes after it.
    const customers = events
      .filter((e) => e.type !== 'customer.erased' && !e.subject.startsWith(POLICY_SUBJECT_PREFIX))
      .map((e) => e.subject);
    const personal = events.map((event) => this.personalPaths(event));
    const sealing = events.filter((_, i) => personal[i].length > 0).map((event) => event.subject);
    const { erased, keys } = await this.keys.forAppend(customers, sealing);
    // Any event of an erased customer but the erasure's own (which holds nothing personal, so needs no key).
    const errors = events.flatMap((event, index) =>
      erased.has(event.subject) && event.type !== 'customer.erased'
        ? [{ index, path: 'subject', message: 'this customer was erased' }]
        : [],
    );
    if (errors.length > 0)
      throw new BackboneError(
        'erased',
        `customer ${events[errors[0].index].subject} was erased: their journey takes no more events`,
        { details: errors },
      );
    if (sealing.length === 0) return [...events];
    return events.map((event, i) => {
      if (personal[i].length === 0) return event;
      const key = keys.get(event.subject)!;
      const identity = rulesOf(event.type).identity !== undefined;
      const compared = PATHS.get(event.type)!.compared;
      let data: unknown = event.data;
      for (const path of personal[i]) {
        data = replaceAt(data, path, (text, at) => {
          const sealed = sealValue(key, fieldContext(event, at), text);
          const field = at.join('.');
          if (identity && field === 'value') {
            const kind = (event.data as { kind: string }).kind;
            return `${sealed}.${this.lookupHash(identityKey(kind, text))}`;
          }
          return compared.has(field) ? `${sealed}.${this.lookupHash(comparedText(field, text))}` : sealed;
        });
      }
      return { ...event, personaldatakey: key.keyId, data } as JourneyEvent;
    });
  }

  /** The personal paths of an event's version that hold a value (none for an event sealed already: a copied log). */
  private personalPaths(event: JourneyEvent): Path[] {
    if (event.personaldatakey !== undefined) return [];
    const paths = PATHS.get(event.type)?.byVersion[(event.schemaversion ?? 1) - 1] ?? [];
    return paths.length === 0 ? paths : paths.filter((path) => holdsText(event.data, path));
  }

  /**
   * The events with their personal fields opened (`"[erased]"` without their key), and the keyed hashes of their
   * compared values in `lookups`.
   */
  async open(stored: StoredEvent[]): Promise<StoredEvent[]> {
    const keyIds: string[] = [];
    let compared = false;
    for (const s of stored) {
      if (s.event.type === 'customer.erased') this.keys.evict(s.event.subject);
      if (s.event.personaldatakey !== undefined) keyIds.push(s.event.personaldatakey);
      if (PATHS.get(s.event.type)?.compared.size) compared = true;
    }
    if (keyIds.length === 0 && !compared) return stored;
    const keys = keyIds.length > 0 ? await this.keys.forOpening(keyIds) : new Map<string, KeyState>();
    return stored.map((s) => {
      const lookups = this.lookupsOf(s.event);
      const keyId = s.event.personaldatakey;
      const data = keyId === undefined ? s.event.data : openData(s.event, keys.get(keyId)!);
      if (data === s.event.data && lookups === undefined) return s;
      return { ...s, event: { ...s.event, data } as JourneyEvent, ...(lookups ? { lookups } : {}) };
    });
  }

  /** The keyed hashes of an event's compared values: carried by a sealed value, made for one in clear. */
  private lookupsOf(event: JourneyEvent): Record<string, string> | undefined {
    const compared = PATHS.get(event.type)?.compared;
    if (!compared?.size) return undefined;
    let lookups: Record<string, string> | undefined;
    for (const field of compared) {
      const value = (event.data as Record<string, unknown>)[field];
      if (typeof value !== 'string') continue;
      const hash = isSealed(value) ? sealedLookupHash(value) : this.lookupHash(comparedText(field, value));
      if (hash !== undefined) (lookups ??= {})[field] = hash;
    }
    return lookups;
  }

  async readJourney(journeyId: string, bound?: ReadBound): Promise<StoredEvent[]> {
    return this.open(await this.inner.readJourney(journeyId, bound));
  }

  async readJourneysByPrefix(prefix: string): Promise<StoredEvent[]> {
    return this.open(await this.inner.readJourneysByPrefix(prefix));
  }

  journeyVersion(journeyId: string): Promise<number> {
    return this.inner.journeyVersion(journeyId);
  }

  async readAll(after: string | null, limit: number): Promise<StoredEvent[]> {
    return this.open(await this.inner.readAll(after, limit));
  }

  subscribe(after: string | null, handler: BatchHandler, options?: SubscribeOptions): LogSubscription {
    return this.inner.subscribe(after, async (batch, upTo) => handler(await this.open(batch), upTo), options);
  }

  head(): Promise<string | null> {
    return this.inner.head();
  }

  async close(): Promise<void> {
    await this.inner.close();
    await this.alsoClose?.();
  }
}

/** The personal fields an event as stored holds in clear (written before encryption, or around the backbone). */
export function clearPersonalFields(event: JourneyEvent): string[] {
  const clear: string[] = [];
  for (const path of PATHS.get(event.type)?.any ?? [])
    replaceAt(event.data, path, (text, at) => {
      if (!isSealed(text) && text !== ERASED) clear.push(at.join('.'));
      return text;
    });
  return clear;
}

/** An event's data with its sealed values opened under `key`. */
function openData(event: JourneyEvent, key: KeyState): unknown {
  const open = (text: string, at: (string | number)[]): string => {
    if (!isSealed(text)) return text;
    if (key === 'erased') return ERASED;
    if (key === 'unknown') return UNREADABLE;
    try {
      return openValue(key, fieldContext(event, at), text);
    } catch {
      return UNREADABLE;
    }
  };
  let data = event.data as Record<string, unknown>;
  let copied = false;
  for (const path of PATHS.get(event.type)?.any ?? []) {
    if (path.length > 1) {
      data = replaceAt(data, path, open) as Record<string, unknown>;
      continue;
    }
    // A field of the data itself is opened when it is first read: a reader that needs none of the personal fields
    // (the metrics, most projections) does not pay for them. It reads as a plain value (JSON, spreading, cloning).
    const field = path[0];
    const sealed = data[field];
    if (!isSealed(sealed)) continue;
    if (!copied) {
      data = { ...data };
      copied = true;
    }
    let opened: string | undefined;
    Object.defineProperty(data, field, {
      enumerable: true,
      configurable: true,
      get: () => (opened ??= open(sealed, [field])),
      set: (value: string) => {
        opened = value;
      },
    });
  }
  return data;
}
