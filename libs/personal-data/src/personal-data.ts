import { useIdentityLookupHash } from '#schemas';
import type { JourneyLog } from '#journey-log';
import type { KeyStore } from '#read-store';
import { FileMasterKey, type MasterKey } from './master-key';
import { PersonalDataKeys, type PersonalDataKeysOptions } from './personal-data-keys';
import { PersonalDataLog } from './personal-data-log';

/**
 * A process's personal-data set-up: the keys (key store beside the read store, master key) and the keyed hash of
 * identity look-ups, which it installs for the process (`useIdentityLookupHash`: claims and the identity index).
 */
export class PersonalData {
  private constructor(
    readonly keys: PersonalDataKeys,
    readonly lookupHash: (normalised: string) => string,
  ) {}

  static async open(store: KeyStore, master: MasterKey, options?: PersonalDataKeysOptions): Promise<PersonalData> {
    const keys = new PersonalDataKeys(store, master, options);
    const lookupHash = await keys.lookupHash();
    useIdentityLookupHash(lookupHash);
    return new PersonalData(keys, lookupHash);
  }

  /** The master key file of the configuration, created (mode 0600) when missing. */
  static masterKeyFile(file: string): FileMasterKey {
    return new FileMasterKey(file, { create: true });
  }

  /** The log as every reader and writer of this process uses it: personal fields sealed on the way in, opened out. */
  log(inner: JourneyLog, options: { alsoClose?: () => Promise<void> } = {}): PersonalDataLog {
    return new PersonalDataLog(inner, this.keys, this.lookupHash, options.alsoClose);
  }
}
