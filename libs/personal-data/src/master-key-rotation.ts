import type { KeyStore, StoredKey, StoredSecret } from '#read-store';
import type { FileMasterKey } from './master-key';

/** Wrapped keys re-wrapped per transaction. */
const BATCH = 500;

export interface Rotation {
  masterKeyId: string;
  rewrapped: number;
  retired: string[];
}

/**
 * Master key rotation: a new key is added to the file and made current, every data key and secret wrapped by another
 * is unwrapped and wrapped again (batch by batch, each batch one transaction), then the keys nothing needs any more
 * leave the file. The log is not touched: data keys do not change. Interrupted, it can be run again; at every point
 * each wrapped key's master key is still in the file.
 */
export async function rotateMasterKey(store: KeyStore, master: FileMasterKey): Promise<Rotation> {
  const masterKeyId = master.addKey();
  let rewrapped = 0;
  for (;;) {
    const batch = await store.wrappedUnder(masterKeyId, BATCH);
    if (batch.length === 0) break;
    const items: Array<StoredKey | StoredSecret> = [];
    for (const item of batch) {
      const context = 'keyId' in item ? item.keyId : item.name;
      const plain = await master.unwrap(item.masterKeyId!, item.wrapped!, context);
      items.push({ ...item, ...(await master.wrap(plain, context)) });
    }
    await store.rewrap(items);
    rewrapped += items.length;
  }
  return { masterKeyId, rewrapped, retired: master.retire(await store.masterKeysInUse()) };
}
