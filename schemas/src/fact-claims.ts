import { caseNamedBy, orderPlacedBy, rulesOf } from './catalog';
import type { JourneyEvent } from './journey-event';

/**
 * Facts that belong to one customer: an order id, a case id, an identity (email, phone, account).
 * The first event to state one claims it for its subject; a later event of another customer
 * stating it is refused (`already_claimed`), on every log, as the log appends. A claim passes to
 * another customer only through an explicit event of its owner: `identity.unlinked` releases an
 * identity, which another customer may then link. Orders and cases are never transferred.
 */
export interface FactClaim {
  /** `order:<orderId>`, `case:<caseId>` or `identity:<identityLookupKey>`. */
  key: string;
  /** The field of the event that states it, for the error. */
  path: string;
  /**
   * `claim`: the fact becomes the subject's if nobody holds it (refused when another customer
   * does); `release`: the subject gives the fact up (refused when another customer holds it).
   * Events that only refer to an order (a payment, a shipment) claim nothing: the ingestion rules
   * refuse them when the order is not the customer's.
   */
  mode: 'claim' | 'release';
}

/**
 * Whether a claim, once held, is held by the same customer for ever: orders and cases never change hands (identities
 * do).
 */
export function permanentClaim(key: string): boolean {
  return key.startsWith('order:') || key.startsWith('case:');
}

/** Emails compare case-insensitively; phone numbers without spaces, dashes, dots or brackets. */
export function identityKey(kind: string, value: string): string {
  const v = value.trim();
  if (kind === 'email') return `email/${v.toLowerCase()}`;
  if (kind === 'phone') return `phone/${v.replace(/[\s\-().]/g, '')}`;
  return `${kind}/${v}`;
}

/**
 * How a personal value is written to the log: `pd1.` and the sealed bytes (nonce, ciphertext, tag, base64url), and for
 * an identity value `.` and its keyed hash (base64url), which claims are decided on without the key.
 */
export const SEALED_PREFIX = 'pd1.';

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** The keyed hash a sealed identity value carries, if it carries one. */
export function sealedLookupHash(value: string): string | undefined {
  const dot = value.indexOf('.', SEALED_PREFIX.length);
  return dot === -1 ? undefined : value.slice(dot + 1);
}

let lookupHash: ((normalised: string) => string) | undefined;

/**
 * Sets the keyed hash (HMAC) identity look-ups and claims use, once per process, from the key store's secret (see
 * `PersonalDataKeys`); `undefined` goes back to plain normalised values (a log without personal-data keys).
 */
export function useIdentityLookupHash(hash: ((normalised: string) => string) | undefined): void {
  lookupHash = hash;
}

/**
 * The key an identity is claimed and looked up under: `<kind>/#<keyed hash of the normalised value>` (a sealed value
 * brings its hash), or the normalised value itself where no hash is set up.
 */
export function identityLookupKey(kind: string, value: string): string {
  if (isSealed(value)) {
    const hash = sealedLookupHash(value);
    if (hash !== undefined) return `${kind}/#${hash}`;
  }
  const normalised = identityKey(kind, value);
  return lookupHash ? `${kind}/#${lookupHash(normalised)}` : normalised;
}

/** The facts an event states, in the order it states them. Pure: the same on every log and in every process. */
export function claimsOf(event: JourneyEvent): FactClaim[] {
  const claims: FactClaim[] = [];
  const rules = rulesOf(event.type);
  if (rules.identity) {
    const { kind, value } = event.data as { kind: string; value: string };
    claims.push({ key: `identity:${identityLookupKey(kind, value)}`, path: 'data.value', mode: rules.identity });
  }
  const order = orderPlacedBy(event);
  if (order !== undefined) claims.push({ key: `order:${order}`, path: `data.${rules.placesOrder}`, mode: 'claim' });
  const supportCase = caseNamedBy(event);
  if (supportCase !== undefined)
    claims.push({ key: `case:${supportCase}`, path: `data.${rules.claimsCase}`, mode: 'claim' });
  return claims;
}

/**
 * The holders of the claims an append touches: what the log holds (`stored`), with the append's
 * own changes over it. Every log adapter decides claims with it, event by event in append order.
 */
export class ClaimLedger {
  private readonly changed = new Map<string, string | null>();

  constructor(private readonly stored: { get(key: string): string | undefined }) {}

  holder(key: string): string | undefined {
    return this.changed.has(key) ? (this.changed.get(key) ?? undefined) : this.stored.get(key);
  }

  /** A ledger over this one, for work that may yet be dropped (one append of several): `mergeInto` keeps it. */
  fork(): ClaimLedger {
    return new ClaimLedger({ get: (key) => this.holder(key) });
  }

  mergeInto(parent: ClaimLedger): void {
    for (const [key, holder] of this.changed) parent.changed.set(key, holder);
  }

  /**
   * Applies the claims of `event` and returns the ones refused (held by another customer); when
   * one is refused, the event changes nothing.
   */
  apply(event: JourneyEvent): FactClaim[] {
    const claims = claimsOf(event);
    const refused = claims.filter((c) => {
      const holder = this.holder(c.key);
      return holder !== undefined && holder !== event.subject;
    });
    if (refused.length > 0) return refused;
    for (const c of claims) {
      if (c.mode === 'claim' && this.holder(c.key) === undefined) this.changed.set(c.key, event.subject);
      else if (c.mode === 'release' && this.holder(c.key) !== undefined) this.changed.set(c.key, null);
    }
    return [];
  }

  /** What to write: each key with its new holder, or null where the claim was released. */
  changes(): Array<{ key: string; holder: string | null }> {
    return [...this.changed].map(([key, holder]) => ({ key, holder }));
  }
}

/** The claim keys an append must look up (and, on a shared store, lock): those of every event. */
export function claimKeys(events: readonly JourneyEvent[]): string[] {
  return [...new Set(events.flatMap((e) => claimsOf(e).map((c) => c.key)))];
}
