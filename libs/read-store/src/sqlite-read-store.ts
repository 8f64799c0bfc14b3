import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BackboneError } from '#errors';
import { heldLock, projectionsLocked } from './projections-lock';
import { SqliteKeyStore } from './sqlite-key-store';
import type { KeyStore } from './key-store.port';
import type {
  AccessRecord,
  Checkpoint,
  DocumentAddress,
  DocumentsAtCheckpoint,
  ParkedEvent,
  ProjectionCommit,
  ProjectionsLock,
  ProjectionsLockMode,
  ReadStore,
  StoredDocument,
} from './read-store.port';

export interface SqliteReadStoreOptions {
  /** Database file; `:memory:` for tests. */
  file: string;
  /** @defaultValue 'NORMAL' (WAL: durable across a process crash) */
  synchronous?: 'NORMAL' | 'FULL';
}

interface DocRow {
  id: string;
  value: string;
  position: string | null;
}

/** The embedded read store: documents, checkpoints and parked events in one SQLite file. */
export class SqliteReadStore implements ReadStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly statements;
  private readonly commitTx;
  /** `getMany` statements by number of ids: preparing one costs more than running it. */
  private readonly getManyStatements = new Map<number, Database.Statement<string[], DocRow>>();
  /** Holders of an in-memory store's projections lock (no other process can reach such a store). */
  private readonly memoryHolders = { shared: 0, exclusive: false };

  constructor(private readonly options: SqliteReadStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    // Documents are a few KB: larger pages keep one on one page (takes effect on a new file only).
    this.db.pragma('page_size = 16384');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 10000');
    // A deleted or rewritten document leaves no old bytes in freed pages (personal data, erasures).
    this.db.pragma('secure_delete = ON');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS documents (
        projection TEXT NOT NULL,
        id TEXT NOT NULL,
        value TEXT NOT NULL,
        position TEXT,
        PRIMARY KEY (projection, id)
      );
      CREATE TABLE IF NOT EXISTS checkpoints (
        projection TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        position TEXT
      );
      CREATE TABLE IF NOT EXISTS parked_events (
        projection TEXT NOT NULL,
        event_id TEXT NOT NULL,
        position TEXT NOT NULL,
        type TEXT NOT NULL,
        error TEXT NOT NULL,
        PRIMARY KEY (projection, event_id)
      );
      CREATE TABLE IF NOT EXISTS access_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        customer_id TEXT NOT NULL,
        at TEXT NOT NULL,
        credential TEXT NOT NULL,
        route TEXT NOT NULL,
        channel TEXT,
        purpose TEXT,
        position TEXT
      );
      CREATE INDEX IF NOT EXISTS access_log_by_customer ON access_log (customer_id, at);
      CREATE INDEX IF NOT EXISTS access_log_by_time ON access_log (at);
    `);
    // When each checkpoint last moved (stores made before it had no such column): /health tells a projection that
    // stopped advancing.
    const columns = this.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('checkpoints')").all();
    if (!columns.some((c) => c.name === 'updated_at'))
      this.db.exec('ALTER TABLE checkpoints ADD COLUMN updated_at TEXT');
    this.statements = {
      get: this.db.prepare<[string, string], DocRow>(
        'SELECT id, value, position FROM documents WHERE projection = ? AND id = ?',
      ),
      upsert: this.db.prepare(
        `INSERT INTO documents (projection, id, value, position) VALUES (?, ?, ?, ?)
         ON CONFLICT (projection, id) DO UPDATE SET value = excluded.value, position = excluded.position`,
      ),
      delete: this.db.prepare('DELETE FROM documents WHERE projection = ? AND id = ?'),
      list: this.db.prepare<[string, string, number], DocRow>(
        'SELECT id, value, position FROM documents WHERE projection = ? AND id > ? ORDER BY id LIMIT ?',
      ),
      listBefore: this.db.prepare<[string, string, number], DocRow>(
        'SELECT id, value, position FROM documents WHERE projection = ? AND id < ? ORDER BY id DESC LIMIT ?',
      ),
      checkpoint: this.db.prepare<[string], Checkpoint>(
        'SELECT projection, version, position, updated_at AS updatedAt FROM checkpoints WHERE projection = ?',
      ),
      checkpoints: this.db.prepare<[], Checkpoint>(
        'SELECT projection, version, position, updated_at AS updatedAt FROM checkpoints ORDER BY projection',
      ),
      saveCheckpoint: this.db.prepare<[string, number, string | null]>(
        `INSERT INTO checkpoints (projection, version, position, updated_at) VALUES (?, ?, ?,
          strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position,
           updated_at = excluded.updated_at`,
      ),
      park: this.db.prepare(
        `INSERT INTO parked_events (projection, event_id, position, type, error) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (projection, event_id) DO UPDATE SET error = excluded.error, position = excluded.position`,
      ),
      parked: this.db.prepare<
        [],
        { projection: string; eventId: string; position: string; type: string; error: string }
      >('SELECT projection, event_id AS eventId, position, type, error FROM parked_events ORDER BY projection, rowid'),
      parkedCounts: this.db.prepare<[], { projection: string; n: number }>(
        'SELECT projection, COUNT(*) AS n FROM parked_events GROUP BY projection',
      ),
      dropDocuments: this.db.prepare('DELETE FROM documents WHERE projection = ?'),
      dropParked: this.db.prepare('DELETE FROM parked_events WHERE projection = ?'),
      unpark: this.db.prepare('DELETE FROM parked_events WHERE projection = ? AND event_id = ?'),
    };
    this.commitTx = this.db.transaction((change: ProjectionCommit) => {
      for (const doc of change.documents) {
        if (doc.value === null) this.statements.delete.run(doc.projection, doc.id);
        else this.statements.upsert.run(doc.projection, doc.id, JSON.stringify(doc.value), doc.position);
      }
      for (const p of change.unparked ?? []) this.statements.unpark.run(p.projection, p.eventId);
      for (const p of change.parked) this.statements.park.run(p.projection, p.eventId, p.position, p.type, p.error);
      for (const c of change.checkpoints) {
        const stored = this.statements.checkpoint.get(c.projection);
        const position =
          change.mergePositions && c.position !== null && stored?.version === c.version
            ? change.mergePositions(stored.position, c.position)
            : c.position;
        this.statements.saveCheckpoint.run(c.projection, c.version, position);
      }
    });
  }

  /**
   * The lock is SQLite's own file lock on a database of its own beside the store (never written,
   * in rollback-journal mode): a projector keeps a read transaction open on it (a SHARED lock),
   * a rebuild takes it EXCLUSIVE. The operating system drops a dead process's locks.
   */
  async lockProjections(mode: ProjectionsLockMode): Promise<ProjectionsLock> {
    if (this.options.file === ':memory:') return this.lockInMemory(mode);
    const lockFile = `${this.options.file}-projectors.lock`;
    // No waiting for the lock: refused at once.
    const db = new Database(lockFile, { timeout: 0 });
    try {
      if (mode === 'shared') {
        db.exec('BEGIN');
        db.prepare('SELECT count(*) FROM sqlite_master').get();
      } else {
        db.exec('BEGIN EXCLUSIVE');
      }
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') throw projectionsLocked(mode, this.options.file);
      throw error;
    }
    return heldLock(() => {
      db.exec('COMMIT');
      db.close();
    });
  }

  private lockInMemory(mode: ProjectionsLockMode): ProjectionsLock {
    const holders = this.memoryHolders;
    if (holders.exclusive || (mode === 'exclusive' && holders.shared > 0)) throw projectionsLocked(mode, ':memory:');
    if (mode === 'exclusive') holders.exclusive = true;
    else holders.shared++;
    return heldLock(() => {
      if (mode === 'exclusive') holders.exclusive = false;
      else holders.shared--;
    });
  }

  async get<T>(projection: string, id: string): Promise<StoredDocument<T> | undefined> {
    return this.document<T>(projection, id);
  }

  private document<T>(projection: string, id: string): StoredDocument<T> | undefined {
    const row = this.statements.get.get(projection, id);
    return row && { value: JSON.parse(row.value) as T, position: row.position };
  }

  async getMany<T>(projection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>> {
    const found = new Map<string, StoredDocument<T>>();
    // Chunks stay under SQLite's bound-parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      let statement = this.getManyStatements.get(chunk.length);
      if (!statement) {
        statement = this.db.prepare<string[], DocRow>(
          `SELECT id, value, position FROM documents WHERE projection = ? AND id IN ` +
            `(${chunk.map(() => '?').join(',')})`,
        );
        this.getManyStatements.set(chunk.length, statement);
      }
      const rows = statement.all(projection, ...chunk);
      for (const row of rows) found.set(row.id, { value: JSON.parse(row.value) as T, position: row.position });
    }
    return found;
  }

  async documentPositions(projection: string, ids: readonly string[]): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.db
        .prepare<string[], { id: string; position: string | null }>(
          `SELECT id, position FROM documents WHERE projection = ? AND id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(projection, ...chunk);
      for (const row of rows) found.set(row.id, row.position);
    }
    return found;
  }

  /** One synchronous run: no commit can land between the checkpoint and the documents. */
  async getAtCheckpoint(checkpointOf: string, documents: readonly DocumentAddress[]): Promise<DocumentsAtCheckpoint> {
    return {
      checkpoint: this.statements.checkpoint.get(checkpointOf),
      documents: documents.map(({ projection, id }) => this.document(projection, id)),
    };
  }

  async list<T>(projection: string, afterId: string | null, limit: number) {
    return this.statements.list
      .all(projection, afterId ?? '', limit)
      .map((row) => ({ id: row.id, value: JSON.parse(row.value) as T, position: row.position }));
  }

  async listBefore<T>(projection: string, beforeId: string, limit: number) {
    return this.statements.listBefore
      .all(projection, beforeId, limit)
      .map((row) => ({ id: row.id, value: JSON.parse(row.value) as T, position: row.position }));
  }

  async commit(change: ProjectionCommit): Promise<void> {
    try {
      this.commitTx.immediate(change);
    } catch (error) {
      if (!isSqliteUnavailable(error)) throw error;
      throw new BackboneError(
        'store_unavailable',
        `the SQLite read store is unavailable: ${(error as Error).message}`,
        { retriable: true, cause: error },
      );
    }
  }

  async checkpoint(projection: string): Promise<Checkpoint | undefined> {
    return this.statements.checkpoint.get(projection);
  }

  async checkpoints(): Promise<Checkpoint[]> {
    return this.statements.checkpoints.all();
  }

  async reset(projection: string, version: number): Promise<void> {
    this.db
      .transaction(() => {
        this.statements.dropDocuments.run(projection);
        this.statements.dropParked.run(projection);
        this.statements.saveCheckpoint.run(projection, version, null);
      })
      .immediate();
  }

  async parked(projection?: string): Promise<ParkedEvent[]> {
    return this.statements.parked.all().filter((p) => projection === undefined || p.projection === projection);
  }

  async parkedCounts(): Promise<Record<string, number>> {
    return Object.fromEntries(this.statements.parkedCounts.all().map((r) => [r.projection, r.n]));
  }

  async recordAccess(records: readonly AccessRecord[]): Promise<void> {
    const insert = this.db.prepare(
      'INSERT INTO access_log (customer_id, at, credential, route, channel, purpose, position) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of records) insert.run(r.customerId, r.at, r.credential, r.route, r.channel, r.purpose, r.position);
    })();
  }

  async accessLog(customerId: string, range: { from?: string; to?: string; limit: number }): Promise<AccessRecord[]> {
    return this.db
      .prepare<{ customer: string; from: string | null; to: string | null; limit: number }, AccessRecord>(
        `SELECT at, credential, customer_id AS customerId, route, channel, purpose, position FROM access_log
         WHERE customer_id = @customer AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to)
         ORDER BY at DESC, seq DESC LIMIT @limit`,
      )
      .all({ customer: customerId, from: range.from ?? null, to: range.to ?? null, limit: range.limit });
  }

  async pruneAccessLog(before: string): Promise<number> {
    return this.db.prepare('DELETE FROM access_log WHERE at < ?').run(before).changes;
  }

  private keys: KeyStore | undefined;

  keyStore(): KeyStore {
    return (this.keys ??= new SqliteKeyStore(this.db));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * SQLite could not do the work now (locked, out of disk, an I/O error, closed): worth trying again, unlike a refusal of
 * the data.
 */
function isSqliteUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string')
    return /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|NOMEM|READONLY|PROTOCOL|INTERRUPT)/.test(code);
  return error instanceof TypeError && /database connection is not open/.test(error.message);
}
