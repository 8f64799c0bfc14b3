import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ClaimLedger, claimKeys, sameEvent, upcast, type JourneyEvent } from '#schemas';
import { ClaimConflictError, DuplicateIdError, VersionConflictError } from '#errors';
import { GroupedCalls } from '#grouped-calls';
import type {
  AppendOptions,
  AppendResult,
  BatchHandler,
  JourneyLog,
  LogSubscription,
  ReadBound,
  StoredEvent,
  SubscribeOptions,
} from './journey-log.port';
import { PermanentClaims } from './permanent-claims';
import { pollingSubscription } from './polling-subscription';
import { prefixEnd } from './prefix-range';
import { sqlitePositions, sqliteSequence, sqliteToken } from './sqlite-position';

export interface SqliteJourneyLogOptions {
  /** Database file; `:memory:` for tests. */
  file: string;
  /**
   * SQLite `synchronous` with WAL. `NORMAL` survives a process crash (SIGKILL) without loss;
   * `FULL` also survives power loss, at a cost per commit. @defaultValue 'NORMAL'
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** Idle poll interval of subscriptions, for appends made by other processes. @defaultValue 50 */
  pollIntervalMs?: number;
}

interface EventRow {
  position: number;
  journey_version: number;
  envelope: string;
  /** Read where latency is measured (the whole log in order, as subscriptions read it). */
  recorded_at?: string;
}

function toStored(row: EventRow): StoredEvent {
  const stored: StoredEvent = {
    event: upcast(JSON.parse(row.envelope) as JourneyEvent),
    position: sqliteToken(row.position),
    journeyVersion: row.journey_version,
    sequence: row.position,
  };
  if (row.recorded_at !== undefined) stored.recordedAt = Date.parse(row.recorded_at);
  return stored;
}

const EVENTS_TABLE = `
  CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    journey_version INTEGER NOT NULL,
    type TEXT NOT NULL,
    time TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    envelope TEXT NOT NULL,
    UNIQUE (source, id),
    UNIQUE (journey_id, journey_version)
  )`;
const CLAIMS_TABLE = 'CREATE TABLE claims (claim TEXT PRIMARY KEY, journey_id TEXT NOT NULL) WITHOUT ROWID';

/** The layout this code writes (`PRAGMA user_version`); older files are brought to it at open. */
const SCHEMA_VERSION = 1;

/**
 * Brings the file to SCHEMA_VERSION, once, under the write lock (several processes may open it).
 * Version 0 keyed events by `id` alone: version 1 keys them by (`source`, `id`) and holds the
 * claims, filled from the events already there (in log order, the first claimant keeping a fact).
 */
function migrate(db: Database.Database): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() >= SCHEMA_VERSION) return;
  db.transaction(() => {
    if (current() >= SCHEMA_VERSION) return;
    const legacy =
      db
        .prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'events'")
        .get()!.n > 0;
    if (!legacy) {
      db.exec(`${EVENTS_TABLE}; ${CLAIMS_TABLE};`);
    } else {
      db.exec(`${EVENTS_TABLE.replace('CREATE TABLE events', 'CREATE TABLE events_v1')}; ${CLAIMS_TABLE};
        INSERT INTO events_v1 (position, source, id, journey_id, journey_version, type, time, recorded_at, envelope)
          SELECT position, json_extract(envelope, '$.source'), id, journey_id, journey_version, type, time,
            recorded_at, envelope FROM events ORDER BY position;
        DROP TABLE events;
        ALTER TABLE events_v1 RENAME TO events;`);
      const ledger = new ClaimLedger(new Map());
      for (const row of db
        .prepare<[], { envelope: string }>('SELECT envelope FROM events ORDER BY position')
        .iterate()) {
        ledger.apply(upcast(JSON.parse(row.envelope) as JourneyEvent));
      }
      const insert = db.prepare('INSERT INTO claims (claim, journey_id) VALUES (?, ?)');
      for (const { key, holder } of ledger.changes()) if (holder !== null) insert.run(key, holder);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

interface AppendOutcome {
  result: AppendResult;
  claims: Array<readonly [string, string | null]>;
}

interface QueuedAppend {
  events: JourneyEvent[];
  options: AppendOptions;
}

/** The embedded journey log: one SQLite file, a total order of events by global sequence. */
export class SqliteJourneyLog implements JourneyLog {
  readonly kind = 'sqlite';
  readonly positions = sqlitePositions;
  private readonly db: Database.Database;
  private readonly listeners = new Set<() => void>();
  private readonly statements;
  private readonly appendTx;
  private readonly appends: GroupedCalls<QueuedAppend, AppendResult>;
  private readonly permanentClaims = new PermanentClaims();

  constructor(private readonly options: SqliteJourneyLogOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 10000');
    migrate(this.db);
    this.statements = {
      byKey: this.db.prepare<[string, string], { position: number; envelope: string }>(
        'SELECT position, envelope FROM events WHERE source = ? AND id = ?',
      ),
      version: this.db.prepare<[string], { v: number | null }>(
        'SELECT MAX(journey_version) AS v FROM events WHERE journey_id = ?',
      ),
      // A key held already inserts nothing (changes = 0): the unique index answers the idempotency check.
      insert: this.db.prepare(
        `INSERT INTO events (source, id, journey_id, journey_version, type, time, recorded_at, envelope)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, id) DO NOTHING`,
      ),
      claimHolder: this.db.prepare<[string], { journey_id: string }>('SELECT journey_id FROM claims WHERE claim = ?'),
      claim: this.db.prepare(
        'INSERT INTO claims (claim, journey_id) VALUES (?, ?) ON CONFLICT (claim) DO UPDATE SET journey_id = ' +
          'excluded.journey_id',
      ),
      release: this.db.prepare('DELETE FROM claims WHERE claim = ?'),
      readAll: this.db.prepare<[number, number], EventRow>(
        'SELECT position, journey_version, envelope, recorded_at FROM events WHERE position > ? ' +
          'ORDER BY position LIMIT ?',
      ),
      readJourney: this.db.prepare<[string, number], EventRow & { time: string }>(
        `SELECT position, journey_version, envelope, time FROM events
         WHERE journey_id = ? AND position <= ? ORDER BY journey_version`,
      ),
      readPrefix: this.db.prepare<[string, string], EventRow>(
        'SELECT position, journey_version, envelope FROM events WHERE journey_id >= ? AND journey_id < ? ORDER ' +
          'BY position',
      ),
      head: this.db.prepare<[], { p: number | null }>('SELECT MAX(position) AS p FROM events'),
    };
    this.appendTx = this.db.transaction((events: JourneyEvent[], options: AppendOptions): AppendOutcome => {
      const versions = new Map<string, number>();
      const currentVersion = (journeyId: string) => {
        let v = versions.get(journeyId);
        if (v === undefined) {
          v = this.statements.version.get(journeyId)?.v ?? 0;
          versions.set(journeyId, v);
        }
        return v;
      };
      for (const [journeyId, expected] of Object.entries(options.expectedVersions ?? {})) {
        const actual = currentVersion(journeyId);
        if (actual !== expected) throw new VersionConflictError(journeyId, expected, actual);
      }
      const recordedAt = new Date().toISOString();
      // The holders of every claim the batch states.
      const holders = new Map<string, string>();
      for (const key of claimKeys(events.map(upcast))) {
        const holder = this.permanentClaims.holder(key) ?? this.statements.claimHolder.get(key)?.journey_id;
        if (holder !== undefined) holders.set(key, holder);
      }
      const ledger = new ClaimLedger(holders);
      const sequences: number[] = [];
      const taken: Array<{ source: string; id: string }> = [];
      const refused: ClaimConflictError['refused'][number][] = [];
      let accepted = 0;
      let last = 0;
      // A key twice in the batch needs no bookkeeping here: the second insert meets the first row,
      // inside this transaction, like any key stored before.
      for (let index = 0; index < events.length; index++) {
        const event = events[index];
        const version = currentVersion(event.subject) + 1;
        const info = this.statements.insert.run(
          event.source,
          event.id,
          event.subject,
          version,
          event.type,
          event.time,
          recordedAt,
          JSON.stringify(event),
        );
        if (info.changes === 0) {
          const stored = this.statements.byKey.get(event.source, event.id)!;
          if (!sameEvent(JSON.parse(stored.envelope), event)) taken.push({ source: event.source, id: event.id });
          last = Math.max(last, stored.position);
          sequences.push(stored.position);
          continue;
        }
        sequences.push(Number(info.lastInsertRowid));
        // Claims of new events only: a repeat of an event states nothing new. A refusal rolls the whole batch back
        // below.
        const claims = ledger.apply(upcast(event));
        if (claims.length > 0) refused.push(...claims.map((c) => ({ event: index, key: c.key, path: c.path })));
        versions.set(event.subject, version);
        last = Number(info.lastInsertRowid);
        accepted += 1;
      }
      // Thrown inside the transaction: nothing of the batch stays.
      if (taken.length > 0) throw new DuplicateIdError(taken);
      if (refused.length > 0) throw new ClaimConflictError(refused);
      const changes = ledger.changes();
      for (const { key, holder } of changes) {
        if (holder === null) this.statements.release.run(key);
        else this.statements.claim.run(key, holder);
      }
      return {
        result: {
          accepted,
          duplicates: events.length - accepted,
          position: sqliteToken(last),
          journeyVersions: Object.fromEntries(versions),
          sequences,
        },
        // Remembered once the group's transaction has committed.
        claims: [...holders, ...changes.map((c) => [c.key, c.holder] as const)],
      };
    });
    // Group commit: the appends made in one turn of the event loop share one transaction, each in
    // its own savepoint (a nested transaction), so one append refused leaves the others. A commit's
    // cost is mostly the pages it writes, and appends made together share many of them.
    // IMMEDIATE takes the write lock up front, so concurrent writers (other processes) serialise
    // instead of failing to upgrade a read lock.
    const commitGroup = this.db.transaction((group: readonly QueuedAppend[]) =>
      group.map(({ events, options }) => {
        try {
          return this.appendTx(events, options);
        } catch (error) {
          // An error that ended the whole transaction (disk full, I/O) fails the group, not this append alone.
          if (!this.db.inTransaction) throw error;
          return error as Error;
        }
      }),
    );
    this.appends = new GroupedCalls<QueuedAppend, AppendResult>(
      async (group) => {
        const outcomes = commitGroup.immediate(group);
        let appended = false;
        const results = outcomes.map((outcome) => {
          if (outcome instanceof Error) return outcome;
          this.permanentClaims.remember(outcome.claims);
          appended ||= outcome.result.accepted > 0;
          return outcome.result;
        });
        if (appended) for (const listener of this.listeners) listener();
        return results;
      },
      { gatherOneTurn: true },
    );
  }

  async append(events: JourneyEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    return this.appends.call({ events, options });
  }

  async readJourney(journeyId: string, bound: ReadBound = {}): Promise<StoredEvent[]> {
    const maxPosition = bound.position === undefined ? Number.MAX_SAFE_INTEGER : sqliteSequence(bound.position);
    const rows = this.statements.readJourney.all(journeyId, maxPosition);
    const limitTime = bound.time === undefined ? undefined : Date.parse(bound.time);
    return rows.filter((row) => limitTime === undefined || Date.parse(row.time) <= limitTime).map(toStored);
  }

  async readJourneysByPrefix(prefix: string): Promise<StoredEvent[]> {
    return this.statements.readPrefix.all(prefix, prefixEnd(prefix)).map(toStored);
  }

  async journeyVersion(journeyId: string): Promise<number> {
    return this.statements.version.get(journeyId)?.v ?? 0;
  }

  async readAll(after: string | null, limit: number): Promise<StoredEvent[]> {
    return this.statements.readAll.all(sqliteSequence(after), limit).map(toStored);
  }

  /** Raw rows for baselines and analysts: envelope JSON text, not parsed. */
  readAllRaw(after: number, limit: number): EventRow[] {
    return this.statements.readAll.all(after, limit);
  }

  subscribe(after: string | null, handler: BatchHandler, options: SubscribeOptions = {}): LogSubscription {
    return pollingSubscription(this, after, handler, {
      ...options,
      idleMs: this.options.pollIntervalMs ?? 50,
      onAppend: (wake) => {
        this.listeners.add(wake);
        return () => this.listeners.delete(wake);
      },
    });
  }

  async head(): Promise<string | null> {
    const p = this.statements.head.get()?.p ?? null;
    return p === null ? null : sqliteToken(p);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    // Appends already made are committed first: their callers are waiting.
    await this.appends.idle();
    if (this.db.open) this.db.close();
  }
}
