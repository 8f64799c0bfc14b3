import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventIngestion } from '#ingestion';
import { SqliteJourneyLog } from '#journey-log';
import { tempDataDir } from '#testing';
import { UnityMetrics, type MetricName } from '#unity-metrics';
import { emptyCounts, simulatedJourneys, type DefectRates } from './simulated-journeys';

/**
 * The analysts' round trip: journeys simulated with chosen defect rates, written through the
 * producers' ingestion path, then replayed by the unity metrics, which must find exactly what was
 * put in (and, over 4,000 customers, rates close to the knobs).
 */
describe('simulated journeys and the unity metrics', () => {
  const rates: Partial<DefectRates> = {
    contradiction: 0.25,
    handoffWithoutContext: 0.4,
    brokenPromise: 0.2,
    paymentFailure: 0.1,
    abandonedCheckout: 0.15,
    policyDispute: 0.5,
    confusion: 0.3,
    returnRejected: 0.2,
  };
  let rows: ReturnType<UnityMetrics['result']>;
  const counts = emptyCounts();
  const decisionsByPolicyVersion = new Map<number, number>();
  let dir: string;

  beforeAll(async () => {
    dir = tempDataDir();
    const log = new SqliteJourneyLog({ file: join(dir, 'log.db') });
    const ingestion = new EventIngestion(log);
    let batch = [];
    for (const event of simulatedJourneys({ customers: 4000, seed: 11, rates, days: 60 }, counts)) {
      batch.push(event);
      if (batch.length === 500) {
        await ingestion.ingest(batch, { owner: null });
        batch = [];
      }
    }
    if (batch.length > 0) await ingestion.ingest(batch, { owner: null });
    const metrics = new UnityMetrics({ from: '2025-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' });
    let after: string | null = null;
    for (;;) {
      const page = await log.readAll(after, 5000);
      if (page.length === 0) break;
      for (const stored of page) {
        metrics.add(stored.event, stored.sequence);
        const e = stored.event;
        if (e.type === 'return.approved' || e.type === 'return.rejected')
          decisionsByPolicyVersion.set(
            e.data.policyVersion,
            (decisionsByPolicyVersion.get(e.data.policyVersion) ?? 0) + 1,
          );
      }
      after = page[page.length - 1].position;
    }
    expect(metrics.events).toBe(counts.events);
    rows = metrics.result();
    await log.close();
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const row = (metric: MetricName) => rows.find((r) => r.metric === metric && r.group === 'all')!;

  it.each<[MetricName, keyof ReturnType<typeof emptyCounts>, keyof ReturnType<typeof emptyCounts>]>([
    ['truth_drift_rate', 'contradictions', 'messages'],
    ['repeated_story_rate', 'handoffsWithoutContext', 'handoffs'],
    ['promise_kept_rate', 'promisesKeptOnTime', 'promises'],
    ['repeat_contact_rate', 'repeatedContacts', 'contacts'],
    ['key_step_checkout_to_order', 'orders', 'checkouts'],
    ['key_step_order_to_payment', 'captured', 'orders'],
    ['key_step_return_to_refund', 'refundedReturns', 'returns'],
    ['policy_dispute_per_100_returns', 'disputeContacts', 'returns'],
    ['confusion_per_1000_orders', 'confusionContacts', 'orders'],
  ])('%s counts exactly what the simulation put in (%s over %s)', (metric, numerator, denominator) => {
    expect(row(metric)).toMatchObject({ numerator: counts[numerator], denominator: counts[denominator] });
    expect(counts[denominator]).toBeGreaterThan(100);
  });

  it.each<[MetricName, number, number]>([
    ['truth_drift_rate', 0.25, 0.04],
    ['repeated_story_rate', 0.4, 0.06],
    ['promise_kept_rate', 0.8, 0.06],
    ['key_step_checkout_to_order', 0.85, 0.03],
    ['key_step_order_to_payment', 0.9, 0.03],
    ['key_step_return_to_refund', 0.8, 0.06],
    ['policy_dispute_per_100_returns', 50, 7],
    // confusion is tagged on the first contact of an order: 40% of orders have one.
    ['confusion_per_1000_orders', 0.4 * 0.3 * 1000, 20],
  ])('%s finds back the rate put in (%s, within %s)', (metric, expected, tolerance) => {
    expect(Math.abs(row(metric).value! - expected)).toBeLessThanOrEqual(tolerance);
  });

  it(
    'decides returns under both policy versions (the policy changes half-way), each accepted by the ingestion ' +
      'rules',
    () => {
      expect([...decisionsByPolicyVersion.keys()].sort()).toEqual([1, 2]);
      expect(decisionsByPolicyVersion.get(1)).toBeGreaterThan(50);
      expect(decisionsByPolicyVersion.get(2)).toBeGreaterThan(50);
      expect((decisionsByPolicyVersion.get(1) ?? 0) + (decisionsByPolicyVersion.get(2) ?? 0)).toBe(counts.returns);
    },
  );
});
