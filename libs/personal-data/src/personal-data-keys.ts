import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { KeyStore, StoredKey } from '#read-store';
import { dataKey, type DataKey } from './personal-data-cipher';
import type { MasterKey } from './master-key';

/** A subject's key, or `erased` when an erasure destroyed it. */
export type KeyState = DataKey | 'erased';

export interface PersonalDataKeysOptions {
  /** Unwrapped keys kept in memory. @defaultValue 20000 */
  cacheSize?: number;
  /**
   * How long a key stays in memory: another process's erasure reaches this one at most this late (this process's own
   * erasures, and the `customer.erased` events it reads, evict at once). @defaultValue 30000
   */
  ttlMs?: number;
  now?: () => number;
}

const LOOKUP_SECRET = 'identity-lookup';

/** A bounded map whose entries expire (insertion order is age order: the oldest goes first). */
class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Customers' data keys: made on a customer's first personal value, wrapped by the master key in the key store,
 * unwrapped into a bounded cache. One per subject across processes (the store keeps the first one written).
 */
export class PersonalDataKeys {
  /** `none`: the subject had no key when asked (it gets one with its first personal value). */
  private readonly bySubject: ExpiringCache<KeyState | 'none'>;
  private readonly byId: ExpiringCache<KeyState>;
  private lookupKey: Buffer | undefined;

  constructor(
    readonly store: KeyStore,
    readonly master: MasterKey,
    options: PersonalDataKeysOptions = {},
  ) {
    const now = options.now ?? Date.now;
    this.bySubject = new ExpiringCache(options.cacheSize ?? 20_000, options.ttlMs ?? 30_000, now);
    this.byId = new ExpiringCache(options.cacheSize ?? 20_000, options.ttlMs ?? 30_000, now);
  }

  /** The keyed hash identity look-ups and claims use (HMAC-SHA256 under the store's look-up secret), base64url. */
  async lookupHash(): Promise<(normalised: string) => string> {
    if (!this.lookupKey) {
      const secret = await this.store.secret(LOOKUP_SECRET, async () => ({
        name: LOOKUP_SECRET,
        ...(await this.master.wrap(randomBytes(32), LOOKUP_SECRET)),
      }));
      this.lookupKey = await this.master.unwrap(secret.masterKeyId, secret.wrapped, LOOKUP_SECRET);
    }
    const key = this.lookupKey;
    return (normalised) => createHmac('sha256', key).update(normalised).digest('base64url');
  }

  /** Which of these subjects were erased (their journeys take no more events). */
  async erasedAmong(subjects: readonly string[]): Promise<Set<string>> {
    const erased = new Set<string>();
    const missing: string[] = [];
    for (const subject of new Set(subjects)) {
      const cached = this.bySubject.get(subject);
      if (cached === 'erased') erased.add(subject);
      else if (cached === undefined) missing.push(subject);
    }
    if (missing.length === 0) return erased;
    const stored = await this.store.keysOfSubjects(missing);
    for (const subject of missing) {
      const row = stored.get(subject);
      if (row && row.wrapped === null) {
        erased.add(subject);
        this.bySubject.set(subject, 'erased');
      } else if (!row) this.bySubject.set(subject, 'none');
    }
    return erased;
  }

  /** The keys to seal these subjects' values with, made where a subject has none yet. */
  async forSealing(subjects: readonly string[]): Promise<Map<string, KeyState>> {
    const found = new Map<string, KeyState>();
    const missing: string[] = [];
    for (const subject of new Set(subjects)) {
      const cached = this.bySubject.get(subject);
      if (cached !== undefined && cached !== 'none') found.set(subject, cached);
      else missing.push(subject);
    }
    if (missing.length === 0) return found;
    const stored = await this.store.keysOfSubjects(missing);
    const fresh = new Map<string, Buffer>();
    const toCreate: StoredKey[] = [];
    for (const subject of missing) {
      if (stored.has(subject)) continue;
      const keyId = `pdk-${randomUUID()}`;
      const key = randomBytes(32);
      fresh.set(keyId, key);
      toCreate.push({ keyId, subject, ...(await this.master.wrap(key, keyId)) });
    }
    if (toCreate.length > 0)
      for (const [subject, key] of await this.store.createKeys(toCreate)) stored.set(subject, key);
    for (const subject of missing) {
      const row = stored.get(subject)!;
      const state = await this.unwrapped(row, fresh.get(row.keyId));
      this.bySubject.set(subject, state);
      this.byId.set(row.keyId, state);
      found.set(subject, state);
    }
    return found;
  }

  /** The keys named by events (`personaldatakey`), `erased` where one is destroyed or unknown. */
  async forOpening(keyIds: readonly string[]): Promise<Map<string, KeyState>> {
    const found = new Map<string, KeyState>();
    const missing: string[] = [];
    for (const keyId of new Set(keyIds)) {
      const cached = this.byId.get(keyId);
      if (cached) found.set(keyId, cached);
      else missing.push(keyId);
    }
    if (missing.length === 0) return found;
    const stored = await this.store.keysById(missing);
    for (const keyId of missing) {
      const row = stored.get(keyId);
      const state = row ? await this.unwrapped(row) : 'erased';
      this.byId.set(keyId, state);
      if (row) this.bySubject.set(row.subject, state);
      found.set(keyId, state);
    }
    return found;
  }

  private async unwrapped(row: StoredKey, known?: Buffer): Promise<KeyState> {
    if (row.wrapped === null || row.masterKeyId === null) return 'erased';
    return dataKey(row.keyId, known ?? (await this.master.unwrap(row.masterKeyId, row.wrapped, row.keyId)));
  }

  /** Forgets what this process holds of a subject's key (its erasure, here or seen on the log). */
  evict(subject: string, keyIds: readonly string[] = []): void {
    const cached = this.bySubject.get(subject);
    if (cached !== undefined && cached !== 'erased' && cached !== 'none') this.byId.set(cached.keyId, 'erased');
    for (const keyId of keyIds) this.byId.set(keyId, 'erased');
    this.bySubject.set(subject, 'erased');
  }
}
