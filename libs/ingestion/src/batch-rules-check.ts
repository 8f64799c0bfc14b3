import {
  POLICY_SUBJECT_PREFIX,
  eventKey,
  orderPlacedBy,
  policyJourneyOf,
  rulesOf,
  type FieldError,
  type JourneyEvent,
} from '#schemas';
import {
  checkIngestionRules,
  cloneFacts,
  emptyFacts,
  evolveFacts,
  needsJourneyFacts,
  policyVersionPublishedBy,
  type JourneyFacts,
  type PolicyVersion,
} from '#journey-domain';
import type { AppendResult, JourneyLog } from '#journey-log';

/**
 * Sequences given to the events of a batch being checked: above any the log gives (they are received after every stored
 * event).
 */
const PENDING = Number.MAX_SAFE_INTEGER - 1_000_000;

/** Facts of a journey kept between requests, at the journey version they were folded to. */
export interface CachedFacts {
  version: number;
  facts: JourneyFacts;
}

/**
 * The domain rules of one batch: reads what they need from the log (each journey's facts, every policy version), checks
 * each event in batch order over the facts of the events before it, and says which journey versions the append must
 * find (those the rules were checked at). One instance per attempt.
 */
export class BatchRulesCheck {
  private readonly facts = new Map<string, JourneyFacts>();
  private readonly versions: Record<string, number> = {};
  private policies: Promise<{ versions: PolicyVersion[]; keys: Set<string> }> | null = null;

  constructor(
    private readonly log: JourneyLog,
    private readonly events: readonly JourneyEvent[],
    private readonly cached: (journeyId: string) => CachedFacts | undefined,
  ) {}

  /**
   * The field errors of the batch, none when every rule holds. What the rules need is read from the log together first:
   * on a remote log each read is a round trip, and one journey after another a batch waited for all of them in turn.
   */
  async violations(): Promise<FieldError[]> {
    const journeys = new Set(this.events.filter((e) => this.stateful(e)).map((e) => e.subject));
    await Promise.all([
      ...[...journeys].map((journeyId) => this.loadFacts(journeyId)),
      ...(this.events.some((e) => this.decides(e)) ? [this.loadPolicies()] : []),
    ]);
    const errors: FieldError[] = [];
    for (const [index, event] of this.events.entries()) errors.push(...(await this.checkEvent(index, event)));
    return errors;
  }

  /**
   * The journey versions the append must find. Policy journeys are checked only where this batch publishes to them:
   * one published after an order never governs it, so a decision needs no lock on the policies.
   */
  expectedVersions(expectedVersion: number | undefined): Record<string, number> {
    const expected = { ...this.versions };
    if (expectedVersion !== undefined) expected[this.events[0].subject] = expectedVersion;
    for (const journeyId of Object.keys(expected)) {
      if (journeyId.startsWith(POLICY_SUBJECT_PREFIX) && !this.events.some((e) => e.subject === journeyId))
        delete expected[journeyId];
    }
    return expected;
  }

  /**
   * The checked facts once the log has appended the batch whole (no duplicate skipped), with the version each journey
   * is now at; orders of the batch get the sequence the log gave them (NaN where it could not say: a decision then
   * reads the journey anew).
   */
  settled(result: AppendResult): Array<[journeyId: string, cached: CachedFacts]> {
    this.events.forEach((event, i) => {
      const orderId = orderPlacedBy(event);
      if (orderId === undefined) return;
      const order = this.facts.get(event.subject)?.orders.get(orderId);
      if (order && order.received >= PENDING) order.received = result.sequences[i];
    });
    return [...this.facts].map(([journeyId, facts]) => [
      journeyId,
      { version: result.journeyVersions[journeyId] ?? this.versions[journeyId], facts },
    ]);
  }

  private stateful(event: JourneyEvent): boolean {
    return policyJourneyOf(event) === undefined && needsJourneyFacts(event);
  }

  private decides(event: JourneyEvent): boolean {
    return rulesOf(event.type).readsPolicies === true;
  }

  /** An event of the batch, checked over the facts of the events before it, then folded in. */
  private async checkEvent(index: number, event: JourneyEvent): Promise<FieldError[]> {
    // An order placed in this batch is received after every stored event; among the batch, in its order.
    const received = PENDING + index;
    if (policyJourneyOf(event) !== undefined) {
      const known = await this.loadPolicies();
      const key = eventKey(event);
      if (known.keys.has(key)) return [];
      known.keys.add(key);
      const violations = checkIngestionRules(emptyFacts(), event, known.versions);
      const published = policyVersionPublishedBy(event, received);
      if (published) known.versions.push(published);
      this.versions[event.subject] ??= 0;
      return violations.map((v) => ({ index, ...v }));
    }
    if (!this.stateful(event)) return [];
    const journey = await this.loadFacts(event.subject);
    if (journey.eventKeys.has(eventKey(event))) return [];
    const known = this.decides(event) ? (await this.loadPolicies()).versions : [];
    const violations = checkIngestionRules(journey, event, known);
    evolveFacts(journey, event, received);
    return violations.map((v) => ({ index, ...v }));
  }

  private async loadFacts(journeyId: string): Promise<JourneyFacts> {
    let journey = this.facts.get(journeyId);
    if (journey) return journey;
    const cached = this.cached(journeyId);
    // An order cached without its sequence (the log could not say it when it was appended): a
    // return decision, which needs it, reads the journey from the log.
    const decidedHere = this.events.some((e) => e.subject === journeyId && this.decides(e));
    const complete = (f: JourneyFacts) =>
      !decidedHere || [...f.orders.values()].every((o) => Number.isFinite(o.received));
    // Another process may have appended since: the cached facts serve only at the same version.
    if (cached && complete(cached.facts) && cached.version === (await this.log.journeyVersion(journeyId))) {
      journey = cloneFacts(cached.facts);
      this.versions[journeyId] = cached.version;
    } else {
      const stored = await this.log.readJourney(journeyId);
      journey = emptyFacts();
      for (const s of stored) evolveFacts(journey, s.event, s.sequence);
      this.versions[journeyId] = stored.length === 0 ? 0 : stored[stored.length - 1].journeyVersion;
    }
    this.facts.set(journeyId, journey);
    return journey;
  }

  /**
   * Every policy version the log holds (the governing one is chosen among all of them), read once per batch that
   * publishes a policy or decides a return.
   */
  private loadPolicies(): Promise<{ versions: PolicyVersion[]; keys: Set<string> }> {
    return (this.policies ??= this.log.readJourneysByPrefix(POLICY_SUBJECT_PREFIX).then((stored) => {
      const versions: PolicyVersion[] = [];
      for (const s of stored) {
        const published = policyVersionPublishedBy(s.event, s.sequence);
        if (published) versions.push(published);
        this.versions[s.event.subject] = Math.max(this.versions[s.event.subject] ?? 0, s.journeyVersion);
      }
      return { versions, keys: new Set(stored.map((s) => eventKey(s.event))) };
    }));
  }
}
