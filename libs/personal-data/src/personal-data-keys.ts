import { createHmac, randomBytes } from 'node:crypto';
import type { KeyStore, StoredKey } from '#read-store';
import { DATA_KEY_BYTES, dataKey, type DataKey } from './personal-data-cipher';
import type { MasterKey } from './master-key';

/**
 * A subject's key, `erased` when an erasure destroyed it, or `unknown` when the key store has no such key (a key store
 * other than the one the log was written with: its values read `[unreadable]`, not `[erased]`).
 */
export type KeyState = DataKey | 'erased' | 'unknown';
/** The key an append seals a customer's values with, or `erased`. */
export type SealingKey = DataKey | 'erased';

export interface PersonalDataKeysOptions {
  /** Unwrapped keys kept in memory. @defaultValue 20000 */
  cacheSize?: number;
  /**
   * How long a key stays in memory: another process's erasure reaches this one at most this late (this process's own
   * erasures, and the `customer.erased` events it reads, evict at once). @defaultValue 30000
   */
  ttlMs?: number;
  /** How long a subject's state read from the store is trusted by appends. @defaultValue 1000 */
  checkMs?: number;
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
  private readonly bySubject: ExpiringCache<SealingKey | 'none'>;
  /**
   * Subjects whose state this process read from the store within the last second: an append checks the others again, so
   * an erasure made by another process refuses their events within a second (the keys stay cached longer).
   */
  private readonly checked: ExpiringCache<true>;
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
    this.checked = new ExpiringCache(options.cacheSize ?? 20_000, options.checkMs ?? 1000, now);
  }

  /** The keyed hash identity look-ups and claims use (HMAC-SHA256 under the store's look-up secret), base64url. */
  async lookupHash(): Promise<(normalised: string) => string> {
    this.lookupKey ??= await this.namedSecret(LOOKUP_SECRET, () => randomBytes(32));
    const key = this.lookupKey;
    return (normalised) => createHmac('sha256', key).update(normalised).digest('base64url');
  }

  /**
   * A named secret kept in the key store, wrapped by the master key (and re-wrapped by its rotation), made from
   * `create` when the store has none: the first writer's is kept.
   */
  async namedSecret(name: string, create: () => Buffer): Promise<Buffer> {
    const secret = await this.store.secret(name, async () => ({ name, ...(await this.master.wrap(create(), name)) }));
    return this.master.unwrap(secret.masterKeyId, secret.wrapped, name);
  }

  /**
   * What an append needs, in one read of the store and at most one write: which of its customers were erased (their
   * journeys take no more events), and the keys to seal with for the other subjects of `sealing` (made where a customer
   * has none yet).
   */
  async forAppend(
    customers: readonly string[],
    sealing: readonly string[],
  ): Promise<{ erased: Set<string>; keys: Map<string, DataKey> }> {
    const states = new Map<string, SealingKey | 'none'>();
    const unknown: string[] = [];
    for (const subject of new Set([...customers, ...sealing])) {
      const cached = this.bySubject.get(subject);
      // An erasure is for ever; anything else is read again once it is a second old.
      if (cached === 'erased' || (cached !== undefined && this.checked.get(subject))) states.set(subject, cached);
      else unknown.push(subject);
    }
    if (unknown.length > 0) {
      const stored = await this.store.keysOfSubjects(unknown);
      for (const subject of unknown) {
        const row = stored.get(subject);
        const cached = this.bySubject.get(subject);
        // A key held already need not be unwrapped again (only its erasure matters here).
        const state = !row
          ? 'none'
          : row.wrapped !== null && typeof cached === 'object'
            ? cached
            : await this.unwrapped(row);
        this.remember(subject, row?.keyId, state);
        states.set(subject, state);
      }
    }
    const creating = [...new Set(sealing)].filter((subject) => states.get(subject) === 'none');
    if (creating.length > 0) {
      // Key material for all of them at once: one call into the random source (a slow call), not two per customer.
      const size = 16 + DATA_KEY_BYTES;
      const random = randomBytes(creating.length * size);
      const fresh = new Map<string, Buffer>();
      const rows: StoredKey[] = [];
      // Ids that sort by creation time (then random): new keys land at the end of the store's index, not all over it.
      const time = Date.now().toString(36).padStart(9, '0');
      for (const [i, subject] of creating.entries()) {
        const keyId = `pdk-${time}${random.subarray(i * size, i * size + 12).toString('base64url')}`;
        const key = random.subarray(i * size + 16, (i + 1) * size);
        fresh.set(keyId, key);
        rows.push({ keyId, subject, ...(await this.master.wrap(key, keyId)) });
      }
      // Another process may have been first, or erased the customer meanwhile: the store's answer is the state.
      for (const [subject, row] of await this.store.createKeys(rows)) {
        const state = await this.unwrapped(row, fresh.get(row.keyId));
        this.remember(subject, row.keyId, state);
        states.set(subject, state);
      }
    }
    const erased = new Set<string>();
    const keys = new Map<string, DataKey>();
    for (const [subject, state] of states) {
      if (state === 'erased') erased.add(subject);
      else if (state !== 'none') keys.set(subject, state);
    }
    return { erased, keys };
  }

  private remember(subject: string, keyId: string | undefined, state: SealingKey | 'none'): void {
    this.bySubject.set(subject, state);
    this.checked.set(subject, true);
    if (keyId !== undefined && state !== 'none') this.byId.set(keyId, state);
  }

  /** The keys named by events (`personaldatakey`): `erased` where one is destroyed, `unknown` where there is none. */
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
      if (!row) {
        // Not cached: the key may yet be written (an append under way elsewhere), or the store is the wrong one.
        found.set(keyId, 'unknown');
        continue;
      }
      const state = await this.unwrapped(row);
      this.remember(row.subject, keyId, state);
      found.set(keyId, state);
    }
    return found;
  }

  private async unwrapped(row: StoredKey, known?: Buffer): Promise<SealingKey> {
    if (row.wrapped === null || row.masterKeyId === null) return 'erased';
    return dataKey(row.keyId, known ?? (await this.master.unwrap(row.masterKeyId, row.wrapped, row.keyId)));
  }

  /** Forgets what this process holds of a subject's key (its erasure, here or seen on the log). */
  evict(subject: string): void {
    const cached = this.bySubject.get(subject);
    if (typeof cached === 'object') this.byId.set(cached.keyId, 'erased');
    this.bySubject.set(subject, 'erased');
  }
}
