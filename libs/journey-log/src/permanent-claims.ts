import { permanentClaim } from '#schemas';

/** Claims remembered per process (about what a busy hour of orders and cases brings). */
const REMEMBERED = 100_000;

/**
 * The holders of claims that never change hands once taken (orders, cases: see `permanentClaim`),
 * as this process has seen them in the log: safe to answer from memory whatever other processes
 * do, so a log looks up (and locks) only the claims it has not seen yet. Most events of a case
 * restate its claim; without this, each one cost a lookup.
 */
export class PermanentClaims {
  private readonly holders = new Map<string, string>();

  holder(key: string): string | undefined {
    return this.holders.get(key);
  }

  /** Remembers what the log holds, or has just committed, for the keys that never change hands. */
  remember(entries: Iterable<readonly [string, string | null]>): void {
    for (const [key, holder] of entries) {
      if (holder === null || !permanentClaim(key)) continue;
      this.holders.delete(key);
      this.holders.set(key, holder);
      if (this.holders.size > REMEMBERED) this.holders.delete(this.holders.keys().next().value!);
    }
  }
}
