import type { Pool, PoolClient } from 'pg';
import type { ErasedDocuments, ErasureRecord, KeyStore, StoredKey, StoredSecret } from './key-store.port';

/** The read store's migration that creates the key store's tables (see `PostgresReadStore`). */
export const KEY_STORE_MIGRATION = `
  CREATE TABLE personal_data_keys (
    key_id text PRIMARY KEY,
    subject text NOT NULL UNIQUE,
    wrapped text,
    master_key_id text,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE personal_data_secrets (name text PRIMARY KEY, wrapped text NOT NULL, master_key_id text NOT NULL);
  CREATE TABLE erasures (
    customer_id text PRIMARY KEY,
    erased_at text NOT NULL,
    reason text NOT NULL,
    requested_by text NOT NULL
  );`;

const KEY_COLUMNS = 'key_id AS "keyId", subject, wrapped, master_key_id AS "masterKeyId"';
const ERASURE_COLUMNS = 'customer_id AS "customerId", erased_at AS "erasedAt", reason, requested_by AS "requestedBy"';

/** The key store in the read store's PostgreSQL schema, on its pool (one transaction erases keys and documents). */
export class PostgresKeyStore implements KeyStore {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly migrate: () => Promise<void>,
  ) {}

  async keysOfSubjects(subjects: readonly string[]): Promise<Map<string, StoredKey>> {
    return this.keysWhere('subject', subjects, (k) => k.subject);
  }

  async keysById(keyIds: readonly string[]): Promise<Map<string, StoredKey>> {
    return this.keysWhere('key_id', keyIds, (k) => k.keyId);
  }

  private async keysWhere(column: 'subject' | 'key_id', values: readonly string[], by: (k: StoredKey) => string) {
    await this.migrate();
    const { rows } = await this.pool.query<StoredKey>(
      `SELECT ${KEY_COLUMNS} FROM ${this.schema}.personal_data_keys WHERE ${column} = ANY($1::text[])`,
      [[...new Set(values)]],
    );
    return new Map(rows.map((row) => [by(row), row]));
  }

  async createKeys(keys: readonly StoredKey[]): Promise<Map<string, StoredKey>> {
    await this.migrate();
    await this.pool.query(
      `INSERT INTO ${this.schema}.personal_data_keys (key_id, subject, wrapped, master_key_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [
        keys.map((k) => k.keyId),
        keys.map((k) => k.subject),
        keys.map((k) => k.wrapped),
        keys.map((k) => k.masterKeyId),
      ],
    );
    return this.keysOfSubjects(keys.map((k) => k.subject));
  }

  async secret(name: string, create: () => Promise<StoredSecret>): Promise<StoredSecret> {
    await this.migrate();
    const read = async () =>
      (
        await this.pool.query<StoredSecret>(
          `SELECT name, wrapped, master_key_id AS "masterKeyId" FROM ${this.schema}.personal_data_secrets
           WHERE name = $1`,
          [name],
        )
      ).rows[0];
    const found = await read();
    if (found) return found;
    const made = await create();
    await this.pool.query(
      `INSERT INTO ${this.schema}.personal_data_secrets (name, wrapped, master_key_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [made.name, made.wrapped, made.masterKeyId],
    );
    return await read();
  }

  async erase(record: ErasureRecord, documents: ErasedDocuments): Promise<ErasureRecord> {
    await this.migrate();
    const s = this.schema;
    await this.transaction(async (client) => {
      await client.query(`UPDATE ${s}.personal_data_keys SET wrapped = NULL, master_key_id = NULL WHERE subject = $1`, [
        record.customerId,
      ]);
      // A customer without a key gets a destroyed one: none can be made for them after the erasure.
      await client.query(
        `INSERT INTO ${s}.personal_data_keys (key_id, subject) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [`erased:${record.customerId}`, record.customerId],
      );
      await client.query(
        `DELETE FROM ${s}.documents d USING unnest($1::text[], $2::text[]) AS a(projection, id)
         WHERE d.projection = a.projection AND d.id = a.id`,
        [documents.byId.map((d) => d.projection), documents.byId.map((d) => d.id)],
      );
      await client.query(
        `DELETE FROM ${s}.documents WHERE projection = ANY($1::text[]) AND value->>'customerId' = $2`,
        [documents.naming, record.customerId],
      );
      await client.query(
        `INSERT INTO ${s}.erasures (customer_id, erased_at, reason, requested_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [record.customerId, record.erasedAt, record.reason, record.requestedBy],
      );
    });
    return (await this.erasure(record.customerId))!;
  }

  async erasure(customerId: string): Promise<ErasureRecord | undefined> {
    await this.migrate();
    const { rows } = await this.pool.query<ErasureRecord>(
      `SELECT ${ERASURE_COLUMNS} FROM ${this.schema}.erasures WHERE customer_id = $1`,
      [customerId],
    );
    return rows[0];
  }

  async wrappedUnder(notMasterKeyId: string, limit: number): Promise<Array<StoredKey | StoredSecret>> {
    await this.migrate();
    const keys = await this.pool.query<StoredKey>(
      `SELECT ${KEY_COLUMNS} FROM ${this.schema}.personal_data_keys
       WHERE wrapped IS NOT NULL AND master_key_id <> $1 LIMIT $2`,
      [notMasterKeyId, limit],
    );
    const secrets = await this.pool.query<StoredSecret>(
      `SELECT name, wrapped, master_key_id AS "masterKeyId" FROM ${this.schema}.personal_data_secrets
       WHERE master_key_id <> $1`,
      [notMasterKeyId],
    );
    return [...keys.rows, ...secrets.rows];
  }

  async rewrap(items: ReadonlyArray<StoredKey | StoredSecret>): Promise<void> {
    await this.migrate();
    await this.transaction(async (client) => {
      for (const item of items) {
        if ('keyId' in item)
          await client.query(
            `UPDATE ${this.schema}.personal_data_keys SET wrapped = $1, master_key_id = $2
             WHERE key_id = $3 AND wrapped IS NOT NULL`,
            [item.wrapped, item.masterKeyId, item.keyId],
          );
        else
          await client.query(
            `UPDATE ${this.schema}.personal_data_secrets SET wrapped = $1, master_key_id = $2 WHERE name = $3`,
            [item.wrapped, item.masterKeyId, item.name],
          );
      }
    });
  }

  async remainingDocuments(customerId: string, documents: ErasedDocuments): Promise<string[]> {
    await this.migrate();
    const { rows } = await this.pool.query<{ projection: string; id: string }>(
      `SELECT d.projection, d.id FROM ${this.schema}.documents d
         JOIN unnest($1::text[], $2::text[]) AS a(projection, id) ON d.projection = a.projection AND d.id = a.id
       UNION ALL
       SELECT projection, id FROM ${this.schema}.documents WHERE projection = ANY($3::text[])
         AND value->>'customerId' = $4`,
      [documents.byId.map((d) => d.projection), documents.byId.map((d) => d.id), documents.naming, customerId],
    );
    return rows.map((r) => `${r.projection}/${r.id}`);
  }

  async findText(text: string): Promise<string[]> {
    await this.migrate();
    const { rows } = await this.pool.query<{ place: string }>(
      `SELECT 'documents ' || projection || '/' || id AS place FROM ${this.schema}.documents
         WHERE strpos(value::text, $1) > 0 OR strpos(id, $1) > 0
       UNION ALL
       SELECT 'parked_events ' || projection || '/' || event_id FROM ${this.schema}.parked_events
         WHERE strpos(error, $1) > 0`,
      [text],
    );
    return rows.map((r) => r.place);
  }

  async masterKeysInUse(): Promise<string[]> {
    await this.migrate();
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT master_key_id AS id FROM ${this.schema}.personal_data_keys WHERE master_key_id IS NOT NULL
       UNION SELECT master_key_id FROM ${this.schema}.personal_data_secrets`,
    );
    return rows.map((r) => r.id);
  }

  async close(): Promise<void> {
    // The pool is the read store's: it closes it.
  }

  private async transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      try {
        await work(client);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  }
}
