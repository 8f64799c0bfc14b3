import { ERASED, identityKey, identityLookupKey, type EventType, type JourneyEventOf } from '#schemas';
import { defineProjection, type Projection } from '#projection-runtime';

export interface CustomerRef {
  /** Null once the customer has given the key up (an unlinked identity). */
  customerId: string | null;
  /** The sequence of the event that gave the key to this customer (see `StoredEvent.sequence`). */
  at: number;
}

/**
 * A lookup from a key carried by one event type to the customer (the event's subject). The log
 * gives each key to one customer (see `claimsOf`), so only its owner's events name it; decided
 * by the sequence at which the log received them, not by the order a partitioned log delivers
 * them in: the first claim received keeps an order or a case (also over anything written around
 * the backbone before claims existed).
 */
function firstClaimIndex<T extends EventType>(
  name: string,
  type: T,
  keyOf: (event: JourneyEventOf<T>) => string,
): Projection<CustomerRef, T> {
  return defineProjection({
    name,
    version: 2,
    canHandle: [type],
    documentId: keyOf,
    initialState: (): CustomerRef => ({ customerId: null, at: Number.POSITIVE_INFINITY }),
    evolve: (state, event, context) =>
      state.customerId !== null && state.at <= context.sequence
        ? state
        : { customerId: event.subject, at: context.sequence },
  });
}

export { identityKey, identityLookupKey };

/** orderId -> customer: serves `GET /v1/orders/{orderId}`. */
export const orderIndexProjection = firstClaimIndex('order-index', 'order.placed', (event) => event.data.orderId);

/** caseId -> customer: serves `GET /v1/cases/{caseId}`. */
export const caseIndexProjection = firstClaimIndex('case-index', 'contact.opened', (event) => event.data.caseId);

/**
 * email / phone / account id -> customer: serves `GET /v1/identities/{kind}/{value}`. An identity
 * passes on: its owner unlinks it, another customer links it. Whatever order the two arrive in
 * (they are on different partitions), the later link, by sequence, holds it; an unlink counts only
 * from the customer holding it.
 */
export const identityIndexProjection = defineProjection({
  name: 'identity-index',
  version: 3,
  canHandle: ['identity.linked', 'identity.unlinked'],
  // Keyed by the keyed hash of the normalised value (`identityLookupKey`), never the value; an erased customer's
  // identities read back as "[erased]" and are not indexed again.
  documentId: (event) => (event.data.value === ERASED ? null : identityLookupKey(event.data.kind, event.data.value)),
  initialState: (): CustomerRef => ({ customerId: null, at: Number.NEGATIVE_INFINITY }),
  evolve: (state, event, context) => {
    if (state.at > context.sequence) return state;
    if (event.type === 'identity.linked')
      return state.customerId === event.subject ? state : { customerId: event.subject, at: context.sequence };
    return state.customerId === event.subject ? { customerId: null, at: context.sequence } : state;
  },
});
