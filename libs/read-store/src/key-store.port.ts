/**
 * Where the personal-data keys live: beside the read store (the same SQLite file, the same PostgreSQL schema), so
 * that an erasure destroys a customer's keys and drops their documents in one transaction. It keeps keys only as the
 * master key wrapped them (see `MasterKey` in `#personal-data`): never a key in clear.
 */

/** A customer's data key as stored: wrapped by a master key, or destroyed (`wrapped` null) by an erasure. */
export interface StoredKey {
  keyId: string;
  subject: string;
  /** Base64 of the wrapped key; null once destroyed. */
  wrapped: string | null;
  /** The master key that wrapped it; null once destroyed. */
  masterKeyId: string | null;
}

/** A named secret of the store (the identity look-up key), wrapped like a data key. */
export interface StoredSecret {
  name: string;
  wrapped: string;
  masterKeyId: string;
}

/** The record of an erasure: the first one kept, so a retry answers the same. */
export interface ErasureRecord {
  customerId: string;
  /** ISO-8601 UTC. */
  erasedAt: string;
  reason: string;
  requestedBy: string;
}

/** The documents an erasure drops: by id, and those of some projections whose value names the customer. */
export interface ErasedDocuments {
  byId: ReadonlyArray<{ projection: string; id: string }>;
  /** Projections whose documents carry `customerId` in their value (the identity index). */
  naming: readonly string[];
}

export interface KeyStore {
  /** The keys of these subjects (destroyed ones included), by subject. */
  keysOfSubjects(subjects: readonly string[]): Promise<Map<string, StoredKey>>;
  /** The keys with these ids, by id. */
  keysById(keyIds: readonly string[]): Promise<Map<string, StoredKey>>;
  /**
   * Stores new keys for subjects that have none; where a subject has one already (another process was first, or it
   * was erased), that one is kept. Answers the keys held afterwards, by subject.
   */
  createKeys(keys: readonly StoredKey[]): Promise<Map<string, StoredKey>>;
  /** The named secret, created from `create` when there is none (the first writer's is kept). */
  secret(name: string, create: () => Promise<StoredSecret>): Promise<StoredSecret>;
  /**
   * In one transaction: destroys the customer's keys, drops the documents, records the erasure (an earlier record is
   * kept and answered).
   */
  erase(record: ErasureRecord, documents: ErasedDocuments): Promise<ErasureRecord>;
  /** The erasure of a customer, if they were erased. */
  erasure(customerId: string): Promise<ErasureRecord | undefined>;
  /** Every wrapped key and secret whose master key is not `masterKeyId`, at most `limit` (for a rotation). */
  wrappedUnder(notMasterKeyId: string, limit: number): Promise<Array<StoredKey | StoredSecret>>;
  /** Replaces wrapped keys and secrets (a rotation), in one transaction; a destroyed key stays destroyed. */
  rewrap(items: ReadonlyArray<StoredKey | StoredSecret>): Promise<void>;
  /** Where documents this erasure drops are still held (`projection/id`): none once it is done. */
  remainingDocuments(customerId: string, documents: ErasedDocuments): Promise<string[]>;
  /** Where a text appears in the store's tables (documents, parked events): `table projection/id` each. */
  findText(text: string): Promise<string[]>;
  /** The master keys some wrapped key or secret still needs. */
  masterKeysInUse(): Promise<string[]>;
  close(): Promise<void>;
}
