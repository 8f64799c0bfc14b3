import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { upcast, type JourneyEvent } from '../../../schemas/src';
import { VersionConflictError } from '../../errors/src';
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
import { pollingSubscription } from './polling-subscription';
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
}

function toStored(row: EventRow): StoredEvent {
  return {
    event: upcast(JSON.parse(row.envelope) as JourneyEvent),
    position: sqliteToken(row.position),
    journeyVersion: row.journey_version,
  };
}

/** The embedded journey log: one SQLite file, a total order of events by global sequence. */
export class SqliteJourneyLog implements JourneyLog {
  readonly kind = 'sqlite';
  readonly positions = sqlitePositions;
  private readonly db: Database.Database;
  private readonly listeners = new Set<() => void>();
  private readonly statements;
  private readonly appendTx;

  constructor(private readonly options: SqliteJourneyLogOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        journey_id TEXT NOT NULL,
        journey_version INTEGER NOT NULL,
        type TEXT NOT NULL,
        time TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        envelope TEXT NOT NULL,
        UNIQUE (journey_id, journey_version)
      );
    `);
    this.statements = {
      byId: this.db.prepare<[string], { position: number }>('SELECT position FROM events WHERE id = ?'),
      version: this.db.prepare<[string], { v: number | null }>(
        'SELECT MAX(journey_version) AS v FROM events WHERE journey_id = ?',
      ),
      // A repeated id inserts nothing (changes = 0): the unique index answers the idempotency check.
      insert: this.db.prepare(
        `INSERT INTO events (id, journey_id, journey_version, type, time, recorded_at, envelope)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ),
      readAll: this.db.prepare<[number, number], EventRow>(
        'SELECT position, journey_version, envelope FROM events WHERE position > ? ORDER BY position LIMIT ?',
      ),
      readJourney: this.db.prepare<[string, number], EventRow & { time: string }>(
        `SELECT position, journey_version, envelope, time FROM events
         WHERE journey_id = ? AND position <= ? ORDER BY journey_version`,
      ),
      head: this.db.prepare<[], { p: number | null }>('SELECT MAX(position) AS p FROM events'),
    };
    this.appendTx = this.db.transaction((events: JourneyEvent[], options: AppendOptions): AppendResult => {
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
      let accepted = 0;
      let last = 0;
      for (const event of events) {
        const version = currentVersion(event.subject) + 1;
        const info = this.statements.insert.run(event.id, event.subject, version, event.type, event.time, recordedAt, JSON.stringify(event));
        if (info.changes === 0) {
          last = Math.max(last, this.statements.byId.get(event.id)!.position);
          continue;
        }
        versions.set(event.subject, version);
        last = Number(info.lastInsertRowid);
        accepted += 1;
      }
      return {
        accepted,
        duplicates: events.length - accepted,
        position: sqliteToken(last),
        journeyVersions: Object.fromEntries(versions),
      };
    });
  }

  async append(events: JourneyEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    // IMMEDIATE takes the write lock up front, so concurrent writers (other processes) serialise
    // instead of failing to upgrade a read lock.
    const result = this.appendTx.immediate(events, options);
    if (result.accepted > 0) for (const listener of this.listeners) listener();
    return result;
  }

  async readJourney(journeyId: string, bound: ReadBound = {}): Promise<StoredEvent[]> {
    const maxPosition = bound.position === undefined ? Number.MAX_SAFE_INTEGER : sqliteSequence(bound.position);
    const rows = this.statements.readJourney.all(journeyId, maxPosition);
    const limitTime = bound.time === undefined ? undefined : Date.parse(bound.time);
    return rows.filter((row) => limitTime === undefined || Date.parse(row.time) <= limitTime).map(toStored);
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
    if (this.db.open) this.db.close();
  }
}
