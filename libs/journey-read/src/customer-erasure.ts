import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ERASED, Id, POLICY_SUBJECT_PREFIX, identityKey, type IdentityKind, type JourneyEvent } from '#schemas';
import { BackboneError } from '#errors';
import type { JourneyLog } from '#journey-log';
import { identityIndexProjection, journeyViewProjection } from '#journey-projections';
import type { PersonalDataKeys } from '#personal-data';
import type { ErasedDocuments, ReadStore } from '#read-store';

/** Where the backbone's own events come from. */
export const ERASURE_SOURCE = 'journey-backbone/privacy';

const ErasureRequest = z.object({
  customerId: Id,
  reason: z.string().trim().min(1, 'must say why (a law, a ticket id)').max(500),
  requestedBy: Id,
});

/** The read store's documents an erasure drops: the customer's journey view and the identity entries naming them. */
export function erasedDocuments(customerId: string): ErasedDocuments {
  return { byId: [{ projection: journeyViewProjection.name, id: customerId }], naming: [identityIndexProjection.name] };
}

/** An id of the backbone's own events, derived from what they are about (the same on a retry), naming none of it. */
function derivedId(prefix: string, of: string): string {
  return `${prefix}-${createHash('sha256').update(of).digest('hex').slice(0, 32)}`;
}

export interface ErasureAnswer {
  customerId: string;
  erasedAt: string;
  /** Position of the `customer.erased` event: read-your-writes for whoever asked. */
  position: string;
}

/**
 * A customer's right to erasure, as the access and privacy design fixes it. In one transaction of the store: the
 * customer's data keys are destroyed (their personal fields in the log, on every adapter, become noise), their journey
 * view and identity entries are dropped, and the erasure is recorded; then `customer.erased` is appended (its id
 * derived from the customer, so a retry appends nothing new). A crash between the two leaves the customer erased;
 * asking again appends the event. Facts stay: the metrics still count the customer's orders and contacts.
 */
export class CustomerErasure {
  constructor(
    private readonly log: JourneyLog,
    private readonly store: ReadStore,
    private readonly keys: PersonalDataKeys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async erase(request: { customerId: string; reason: unknown; requestedBy: string }): Promise<ErasureAnswer> {
    const parsed = ErasureRequest.safeParse(request);
    if (!parsed.success)
      throw new BackboneError('validation_failed', 'invalid erasure request; nothing was erased', {
        details: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
      });
    const { customerId, reason, requestedBy } = parsed.data;
    if (customerId.startsWith(POLICY_SUBJECT_PREFIX))
      throw new BackboneError('invalid_parameter', 'a policy is not a person: only customers are erased', {
        details: [{ path: 'customerId', message: `must not start with ${POLICY_SUBJECT_PREFIX}` }],
      });
    const keyStore = this.store.keyStore();
    const earlier = await keyStore.erasure(customerId);
    if (!earlier && (await this.log.journeyVersion(customerId)) === 0)
      throw new BackboneError('not_found', `no journey for customer ${customerId}`);
    if (!earlier) await this.releaseIdentities(customerId);
    // Run again on a retry as well: it keeps the first record and drops anything a projector wrote back since.
    const record = await keyStore.erase(
      { customerId, erasedAt: this.now().toISOString(), reason, requestedBy },
      erasedDocuments(customerId),
    );
    this.keys.evict(customerId);
    const event = {
      specversion: '1.0',
      id: derivedId('customer-erased', customerId),
      source: ERASURE_SOURCE,
      type: 'customer.erased',
      subject: customerId,
      time: record.erasedAt,
      schemaversion: 1,
      data: { reason: record.reason, requestedBy: record.requestedBy },
    } satisfies JourneyEvent;
    const appended = await this.log.append([event]);
    return { customerId, erasedAt: record.erasedAt, position: appended.position };
  }

  /**
   * Gives up the customer's identities before their keys go (`identity.unlinked`, sealed like any other): the log
   * releases their claims, so the same email or phone number can be linked again, by a new account of the same person.
   * Each unlink's id derives from its link's, so a retry appends none twice; a crash after it leaves a customer with no
   * identity, not erased yet, which asking again completes.
   */
  private async releaseIdentities(customerId: string): Promise<void> {
    const linked = new Map<string, { kind: IdentityKind; value: string; linkedBy: string }>();
    for (const { event } of await this.log.readJourney(customerId)) {
      if (event.type !== 'identity.linked' && event.type !== 'identity.unlinked') continue;
      const { kind, value } = event.data;
      if (value === ERASED) continue;
      const key = identityKey(kind, value);
      if (event.type === 'identity.linked')
        linked.set(key, { kind, value, linkedBy: `${event.source}\u0000${event.id}` });
      else linked.delete(key);
    }
    if (linked.size === 0) return;
    const time = this.now().toISOString();
    await this.log.append(
      [...linked.values()].map(({ kind, value, linkedBy }) => ({
        specversion: '1.0',
        id: derivedId('erasure-unlink', linkedBy),
        source: ERASURE_SOURCE,
        type: 'identity.unlinked',
        subject: customerId,
        time,
        schemaversion: 1,
        data: { kind, value },
      })),
    );
  }
}
