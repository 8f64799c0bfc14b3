import {
  IDENTITY_KINDS,
  isIdentityKind,
  type CaseView,
  type Channel,
  type JourneyView,
  type OrderView,
} from '#schemas';
import { BackboneError } from '#errors';
import type { PolicyVersion } from '#journey-domain';
import {
  caseIndexProjection,
  identityIndexProjection,
  identityLookupKey,
  journeyViewProjection,
  orderIndexProjection,
  policiesDeciding,
  policyRegistryProjection,
  renderJourneyView,
  type CustomerRef,
  type JourneyState,
} from '#journey-projections';
import type { JourneyLog, ReadBound } from '#journey-log';
import { applyEvents, documentKey } from '#projection-runtime';
import type { ReadStore, StoredDocument } from '#read-store';
import type { ProjectionProgress } from './projection-progress';

export interface ReadOptions {
  /** Rebuild the view from the log as it was at this time (ISO-8601). */
  asOf?: string;
  /** Rebuild the view from the customer's events up to this position (with `asOf`: up to both). */
  atPosition?: string;
  channel?: Channel;
  /** Wait until the projection has reached this position token (read-your-writes). */
  minPosition?: string;
  /** @defaultValue 2000 */
  waitMs?: number;
}

export interface Read<T> {
  body: T;
  /** Position of the projection the answer reflects (the `Journey-Position` header). */
  position: string | null;
}

const VIEW = journeyViewProjection.name;
const REGISTRY = policyRegistryProjection.name;
/** Orders whose deciding policy versions are kept between reads (see `policiesFor`). */
const DECIDING_CACHE = 10_000;

/** Answers every read of the HTTP contract from the read store, or from the log for `asOf`. */
export class JourneyReader {
  /** Per order (placement and sequence), the registry documents that decide its policy; see `policiesFor`. */
  private readonly deciding = new Map<string, PolicyVersion[]>();
  /** Moves on whenever the registry changes: a read begun before must not fill the cache. */
  private registryChanges = 0;

  constructor(
    private readonly log: JourneyLog,
    private readonly store: ReadStore,
    private readonly progress: ProjectionProgress,
    private readonly now: () => Date = () => new Date(),
  ) {
    progress.onProgress((changed) => {
      if (!changed.has(REGISTRY)) return;
      this.registryChanges++;
      this.deciding.clear();
    });
  }

  async journey(customerId: string, options: ReadOptions): Promise<Read<JourneyView>> {
    const { state, position, asOf } = await this.state(customerId, options);
    if (!state)
      throw new BackboneError(
        'not_found',
        `no journey for customer ${customerId}${options.asOf ? ` as of ${options.asOf}` : ''}`,
      );
    const returnsPolicies = await this.policiesFor(state);
    return { body: renderJourneyView(state, { asOf, position, channel: options.channel, returnsPolicies }), position };
  }

  /**
   * Many customers' current views at once (one read of the view documents, with the checkpoint they reflect):
   * `erased` for a customer erased, nothing for one without a view. For a writer of every view (the views topic).
   */
  async journeys(customerIds: readonly string[]): Promise<Map<string, JourneyView | 'erased'>> {
    const { checkpoint, documents } = await this.store.getAtCheckpoint(
      VIEW,
      customerIds.map((id) => ({ projection: VIEW, id })),
    );
    const position = checkpoint?.position ?? null;
    const asOf = this.now().toISOString();
    const views = new Map<string, JourneyView | 'erased'>();
    await Promise.all(
      customerIds.map(async (customerId, i) => {
        const state = (documents[i] as StoredDocument<JourneyState | null> | undefined)?.value;
        if (state) {
          const returnsPolicies = await this.policiesFor(state);
          views.set(customerId, renderJourneyView(state, { asOf, position, returnsPolicies }));
        } else if (await this.store.keyStore().erasure(customerId)) views.set(customerId, 'erased');
      }),
    );
    return views;
  }

  /**
   * The policy versions that decide each order's governing one, read from the registry for each
   * order (a few small documents each, however many versions are published). With the only
   * projector of the registry in this process, what was read is kept until the registry changes
   * (its commits say so): a policy is published rarely, and a read then costs no registry query.
   */
  private async policiesFor(state: JourneyState): Promise<PolicyVersion[]> {
    const list = (before: string, limit: number) =>
      this.store.listBefore<PolicyVersion | null>(REGISTRY, before, limit);
    const cacheable = this.progress.followsEveryCommit();
    const changes = this.registryChanges;
    const found = await Promise.all(
      state.orders.map(async (order) => {
        const key = `${order.placedAt}|${order.received}`;
        const kept = cacheable ? this.deciding.get(key) : undefined;
        if (kept) return kept;
        const versions = await policiesDeciding(list, order);
        if (cacheable && changes === this.registryChanges) {
          this.deciding.set(key, versions);
          if (this.deciding.size > DECIDING_CACHE) this.deciding.delete(this.deciding.keys().next().value!);
        }
        return versions;
      }),
    );
    return found.flat();
  }

  async order(orderId: string, options: ReadOptions): Promise<Read<OrderView & { customerId: string }>> {
    return this.within(orderIndexProjection.name, `order ${orderId}`, orderId, options, (view) =>
      view.orders.find((o) => o.orderId === orderId),
    );
  }

  async case(caseId: string, options: ReadOptions): Promise<Read<CaseView & { customerId: string }>> {
    return this.within(caseIndexProjection.name, `case ${caseId}`, caseId, options, (view) =>
      view.cases.find((c) => c.caseId === caseId),
    );
  }

  async identity(kind: string, value: string): Promise<Read<{ customerId: string }>> {
    if (!isIdentityKind(kind)) {
      throw new BackboneError(
        'invalid_parameter',
        `identity kind must be one of ${IDENTITY_KINDS.join(', ')}, not ${JSON.stringify(kind)}`,
        { details: { parameter: 'kind' } },
      );
    }
    const index = identityIndexProjection.name;
    // The index holds a keyed hash of the normalised value; the answer never repeats the value (it is personal).
    const customerId = await this.lookup(index, identityLookupKey(kind, value), `such ${kind} identity`);
    return { body: { customerId }, position: await this.progress.position(index) };
  }

  /** One element of a customer's view (an order, a case), found through a lookup index. */
  private async within<T>(
    index: string,
    what: string,
    id: string,
    options: ReadOptions,
    pick: (view: JourneyView) => T | undefined,
  ) {
    const customerId = await this.lookup(index, id, what);
    const read = await this.journey(customerId, options).catch(rethrowAs(what));
    const found = pick(read.body);
    if (!found) throw new BackboneError('not_found', `no ${what}${options.asOf ? ` as of ${options.asOf}` : ''}`);
    return {
      body: { customerId, ...found, ...(read.body.messages ? { messages: read.body.messages } : {}) },
      position: read.position,
    };
  }

  private async lookup(projection: string, id: string, what: string): Promise<string> {
    const customerId = (await this.store.get<CustomerRef>(projection, id))?.value.customerId;
    if (customerId === undefined || customerId === null) throw new BackboneError('not_found', `no ${what}`);
    return customerId;
  }

  /** The customer's state, with the position it reflects. */
  private async state(
    customerId: string,
    options: ReadOptions,
  ): Promise<{ state: JourneyState | undefined; position: string | null; asOf: string }> {
    await this.refuseErased(customerId);
    if (options.minPosition !== undefined)
      await this.progress.waitFor(VIEW, options.minPosition, options.waitMs ?? 2000);
    if (options.asOf !== undefined || options.atPosition !== undefined) {
      const bound = { time: options.asOf, position: options.atPosition };
      return { ...(await journeyStateAt(this.log, customerId, bound)), asOf: options.asOf ?? this.now().toISOString() };
    }
    // Read with the view's checkpoint, as one: the document is at least as new as the position we report.
    const { checkpoint, documents } = await this.store.getAtCheckpoint(VIEW, [{ projection: VIEW, id: customerId }]);
    const [doc] = documents as [StoredDocument<JourneyState> | undefined];
    return { state: doc?.value ?? undefined, position: checkpoint?.position ?? null, asOf: this.now().toISOString() };
  }

  /**
   * An erased customer's reads answer 410 `erased`, whatever the read (as of any time, too): checked before the
   * documents, which a projector behind the erasure may not have dropped yet.
   */
  async refuseErased(customerId: string): Promise<void> {
    const erasure = await this.store.keyStore().erasure(customerId);
    if (erasure)
      throw new BackboneError('erased', `customer ${customerId}'s personal data was erased at ${erasure.erasedAt}`, {
        details: [{ path: 'customerId', message: `erased at ${erasure.erasedAt}` }],
      });
  }
}

/**
 * Time travel: the customer's events up to `asOf` (fact time), through the same evolve as the
 * projector; shared by `?asOf=` and the analysts' `journey replay --as-of`.
 */
export async function journeyStateAsOf(
  log: JourneyLog,
  customerId: string,
  asOf: string,
): Promise<{ state: JourneyState | undefined; position: string | null }> {
  return journeyStateAt(log, customerId, { time: asOf });
}

/** The customer's state from their events within `bound` (fact time and/or log position). */
export async function journeyStateAt(
  log: JourneyLog,
  customerId: string,
  bound: ReadBound,
): Promise<{ state: JourneyState | undefined; position: string | null }> {
  const events = await log.readJourney(customerId, bound);
  if (events.length === 0) return { state: undefined, position: null };
  const documents = new Map<string, StoredDocument>();
  applyEvents([journeyViewProjection], events, documents, { positions: log.positions });
  const state = documents.get(documentKey(VIEW, customerId))?.value as JourneyState | null | undefined;
  return { state: state ?? undefined, position: events[events.length - 1].position };
}

function rethrowAs(what: string) {
  return (error: unknown): never => {
    if (error instanceof BackboneError && error.code === 'not_found')
      throw new BackboneError('not_found', `no ${what}`);
    throw error;
  };
}
