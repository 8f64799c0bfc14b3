import type { EventType, JourneyEvent } from '../../../../schemas/src';
import { defineProjection, type Projection } from '../../../projection-runtime/src';

export interface CustomerRef {
  customerId: string;
}

/** A lookup from a key carried by one event type to the customer (the event's subject). */
function customerIndex(name: string, type: EventType, keyOf: (event: JourneyEvent) => string | null): Projection<CustomerRef> {
  return defineProjection<CustomerRef>({
    name,
    version: 1,
    canHandle: [type],
    documentId: (event) => (event.type === type ? keyOf(event) : null),
    initialState: () => ({ customerId: '' }),
    evolve: (_state, event) => ({ customerId: event.subject }),
  });
}

/** Emails compare case-insensitively; phone numbers without spaces, dashes or brackets. */
export function identityKey(kind: string, value: string): string {
  const v = value.trim();
  if (kind === 'email') return `email/${v.toLowerCase()}`;
  if (kind === 'phone') return `phone/${v.replace(/[\s\-().]/g, '')}`;
  return `${kind}/${v}`;
}

/** orderId -> customer: serves `GET /v1/orders/{orderId}`. */
export const orderIndexProjection = customerIndex('order-index', 'order.placed', (event) =>
  event.type === 'order.placed' ? event.data.orderId : null,
);

/** caseId -> customer: serves `GET /v1/cases/{caseId}`. */
export const caseIndexProjection = customerIndex('case-index', 'contact.opened', (event) =>
  event.type === 'contact.opened' ? event.data.caseId : null,
);

/** email / phone / account id -> customer: serves `GET /v1/identities/{kind}/{value}`. */
export const identityIndexProjection = customerIndex('identity-index', 'identity.linked', (event) =>
  event.type === 'identity.linked' ? identityKey(event.data.kind, event.data.value) : null,
);
