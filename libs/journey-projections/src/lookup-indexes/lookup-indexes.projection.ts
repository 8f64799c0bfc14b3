import { defineProjection } from '../../../projection-runtime/src';

export interface CustomerRef {
  customerId: string;
}

/** orderId -> customer: serves `GET /v1/orders/{orderId}`. */
export const orderIndexProjection = defineProjection<CustomerRef>({
  name: 'order-index',
  version: 1,
  canHandle: ['order.placed'],
  documentId: (event) => (event.type === 'order.placed' ? event.data.orderId : null),
  initialState: () => ({ customerId: '' }),
  evolve: (_state, event) => ({ customerId: event.subject }),
});

/** caseId -> customer: serves `GET /v1/cases/{caseId}`. */
export const caseIndexProjection = defineProjection<CustomerRef>({
  name: 'case-index',
  version: 1,
  canHandle: ['contact.opened'],
  documentId: (event) => (event.type === 'contact.opened' ? event.data.caseId : null),
  initialState: () => ({ customerId: '' }),
  evolve: (_state, event) => ({ customerId: event.subject }),
});

/** Emails compare case-insensitively; phone numbers without spaces, dashes or brackets. */
export function identityKey(kind: string, value: string): string {
  const v = value.trim();
  if (kind === 'email') return `email/${v.toLowerCase()}`;
  if (kind === 'phone') return `phone/${v.replace(/[\s\-().]/g, '')}`;
  return `${kind}/${v}`;
}

/** email / phone / account id -> customer: serves `GET /v1/identities/{kind}/{value}`. */
export const identityIndexProjection = defineProjection<CustomerRef>({
  name: 'identity-index',
  version: 1,
  canHandle: ['identity.linked'],
  documentId: (event) => (event.type === 'identity.linked' ? identityKey(event.data.kind, event.data.value) : null),
  initialState: () => ({ customerId: '' }),
  evolve: (_state, event) => ({ customerId: event.subject }),
});
