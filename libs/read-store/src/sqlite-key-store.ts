import type Database from 'better-sqlite3';
import type { ErasedDocuments, ErasureRecord, KeyStore, StoredKey, StoredSecret } from './key-store.port';

interface KeyRow {
  keyId: string;
  subject: string;
  wrapped: string | null;
  masterKeyId: string | null;
}

/**
 * The key store in the read store's SQLite file, on its connection (one transaction erases keys and documents). The
 * connection deletes securely (`secure_delete`), and an erasure ends with a WAL checkpoint, so no freed page or old
 * frame keeps what was erased.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly eraseTx;
  private readonly createTx;
  private readonly rewrapTx;
  private readonly bySubjects: Database.Statement<[string], KeyRow>;
  private readonly byIds: Database.Statement<[string], KeyRow>;

  constructor(private readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS personal_data_keys (
        key_id TEXT PRIMARY KEY,
        subject TEXT NOT NULL UNIQUE,
        wrapped TEXT,
        master_key_id TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS personal_data_secrets (
        name TEXT PRIMARY KEY,
        wrapped TEXT NOT NULL,
        master_key_id TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS erasures (
        customer_id TEXT PRIMARY KEY,
        erased_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        requested_by TEXT NOT NULL
      );
    `);
    const insertKey = db.prepare<[string, string, string | null, string | null], { keyId: string }>(
      `INSERT INTO personal_data_keys (key_id, subject, wrapped, master_key_id, created_at)
       VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ON CONFLICT DO NOTHING RETURNING key_id AS keyId`,
    );
    // Answers the subjects whose key was not written (one was there first).
    this.createTx = db.transaction((keys: readonly StoredKey[]) =>
      keys.filter((k) => insertKey.get(k.keyId, k.subject, k.wrapped, k.masterKeyId) === undefined),
    );
    const destroyKeys = db.prepare(
      'UPDATE personal_data_keys SET wrapped = NULL, master_key_id = NULL WHERE subject = ?',
    );
    const insertErasure = db.prepare(
      `INSERT INTO erasures (customer_id, erased_at, reason, requested_by) VALUES (?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    const dropById = db.prepare('DELETE FROM documents WHERE projection = ? AND id = ?');
    const dropNaming = db.prepare(
      "DELETE FROM documents WHERE projection = ? AND json_extract(value, '$.customerId') = ?",
    );
    this.eraseTx = db.transaction((record: ErasureRecord, documents: ErasedDocuments) => {
      // A destroyed key keeps its row (wrapped NULL): the subject cannot be given a new key after the erasure.
      destroyKeys.run(record.customerId);
      insertKey.get(`erased:${record.customerId}`, record.customerId, null, null);
      for (const d of documents.byId) dropById.run(d.projection, d.id);
      for (const projection of documents.naming) dropNaming.run(projection, record.customerId);
      insertErasure.run(record.customerId, record.erasedAt, record.reason, record.requestedBy);
    });
    const keysWhere = (column: string) =>
      db.prepare<[string], KeyRow>(
        `SELECT key_id AS keyId, subject, wrapped, master_key_id AS masterKeyId FROM personal_data_keys
         WHERE ${column} IN (SELECT value FROM json_each(?))`,
      );
    this.bySubjects = keysWhere('subject');
    this.byIds = keysWhere('key_id');
    const updateKey = db.prepare(
      'UPDATE personal_data_keys SET wrapped = ?, master_key_id = ? WHERE key_id = ? AND wrapped IS NOT NULL',
    );
    const updateSecret = db.prepare('UPDATE personal_data_secrets SET wrapped = ?, master_key_id = ? WHERE name = ?');
    this.rewrapTx = db.transaction((items: ReadonlyArray<StoredKey | StoredSecret>) => {
      for (const item of items) {
        if ('keyId' in item) updateKey.run(item.wrapped, item.masterKeyId, item.keyId);
        else updateSecret.run(item.wrapped, item.masterKeyId, item.name);
      }
    });
  }

  async keysOfSubjects(subjects: readonly string[]): Promise<Map<string, StoredKey>> {
    return this.keysWhere('subject', subjects, (k) => k.subject);
  }

  async keysById(keyIds: readonly string[]): Promise<Map<string, StoredKey>> {
    return this.keysWhere('key_id', keyIds, (k) => k.keyId);
  }

  private keysWhere(column: 'subject' | 'key_id', values: readonly string[], by: (k: StoredKey) => string) {
    const found = new Map<string, StoredKey>();
    // One prepared statement whatever the number of values: they travel as one JSON array.
    const rows = (column === 'subject' ? this.bySubjects : this.byIds).all(JSON.stringify([...new Set(values)]));
    for (const row of rows) found.set(by(row), row);
    return found;
  }

  async createKeys(keys: readonly StoredKey[]): Promise<Map<string, StoredKey>> {
    const taken = this.createTx(keys);
    const held = new Map(keys.map((k) => [k.subject, k]));
    if (taken.length > 0)
      for (const [subject, k] of await this.keysOfSubjects(taken.map((t) => t.subject))) held.set(subject, k);
    return held;
  }

  async secret(name: string, create: () => Promise<StoredSecret>): Promise<StoredSecret> {
    const read = () =>
      this.db
        .prepare<[string], StoredSecret>(
          'SELECT name, wrapped, master_key_id AS masterKeyId FROM personal_data_secrets WHERE name = ?',
        )
        .get(name);
    const found = read();
    if (found) return found;
    const made = await create();
    this.db
      .prepare(
        'INSERT INTO personal_data_secrets (name, wrapped, master_key_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(made.name, made.wrapped, made.masterKeyId);
    return read()!;
  }

  async erase(record: ErasureRecord, documents: ErasedDocuments): Promise<ErasureRecord> {
    this.eraseTx(record, documents);
    // Old frames of the erased pages leave the WAL (best effort: a reader holding an old snapshot delays it).
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return (await this.erasure(record.customerId))!;
  }

  async erasure(customerId: string): Promise<ErasureRecord | undefined> {
    return this.db
      .prepare<[string], ErasureRecord>(
        `SELECT customer_id AS customerId, erased_at AS erasedAt, reason, requested_by AS requestedBy
         FROM erasures WHERE customer_id = ?`,
      )
      .get(customerId);
  }

  async wrappedUnder(notMasterKeyId: string, limit: number): Promise<Array<StoredKey | StoredSecret>> {
    const keys = this.db
      .prepare<[string, number], KeyRow>(
        `SELECT key_id AS keyId, subject, wrapped, master_key_id AS masterKeyId FROM personal_data_keys
         WHERE wrapped IS NOT NULL AND master_key_id <> ? LIMIT ?`,
      )
      .all(notMasterKeyId, limit);
    const secrets = this.db
      .prepare<[string], StoredSecret>(
        'SELECT name, wrapped, master_key_id AS masterKeyId FROM personal_data_secrets WHERE master_key_id <> ?',
      )
      .all(notMasterKeyId);
    return [...keys, ...secrets];
  }

  async rewrap(items: ReadonlyArray<StoredKey | StoredSecret>): Promise<void> {
    this.rewrapTx(items);
  }

  async remainingDocuments(customerId: string, documents: ErasedDocuments): Promise<string[]> {
    const found: string[] = [];
    const byId = this.db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM documents WHERE projection = ? AND id = ?',
    );
    for (const d of documents.byId) if (byId.get(d.projection, d.id)!.n > 0) found.push(`${d.projection}/${d.id}`);
    const naming = this.db.prepare<[string, string], { id: string }>(
      "SELECT id FROM documents WHERE projection = ? AND json_extract(value, '$.customerId') = ?",
    );
    for (const projection of documents.naming)
      for (const row of naming.all(projection, customerId)) found.push(`${projection}/${row.id}`);
    return found;
  }

  async findText(text: string): Promise<string[]> {
    const documents = this.db
      .prepare<[string, string], { projection: string; id: string }>(
        'SELECT projection, id FROM documents WHERE instr(value, ?) > 0 OR instr(id, ?) > 0',
      )
      .all(text, text)
      .map((r) => `documents ${r.projection}/${r.id}`);
    const parked = this.db
      .prepare<[string], { projection: string; eventId: string }>(
        'SELECT projection, event_id AS eventId FROM parked_events WHERE instr(error, ?) > 0',
      )
      .all(text)
      .map((r) => `parked_events ${r.projection}/${r.eventId}`);
    return [...documents, ...parked];
  }

  async masterKeysInUse(): Promise<string[]> {
    return this.db
      .prepare<[], { id: string }>(
        `SELECT master_key_id AS id FROM personal_data_keys WHERE master_key_id IS NOT NULL
         UNION SELECT master_key_id FROM personal_data_secrets`,
      )
      .all()
      .map((r) => r.id);
  }

  async close(): Promise<void> {
    // The connection is the read store's: it closes it.
  }
}
