import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventIngestion } from '#ingestion';
import { SqliteJourneyLog } from '#journey-log';
import { PROJECTIONS } from '#journey-projections';
import { ProjectionRunner } from '#projection-runtime';
import { SqliteReadStore } from '#read-store';
import { journeyEvent, tempDataDir, waitFor } from '#testing';
import { JourneyReader } from './journey-reader';
import { ProjectionProgress } from './projection-progress';

const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString();

/**
 * The policy a channel shows for an order and the one the returns rules judge decisions by come
 * from one function (`governingPolicy`), over the same versions: random publications, some
 * back-dated after the orders they would like to govern, and the two must agree on every order.
 */
describe('the policy governing an order: the view and the ingestion rules agree', () => {
  let dir: string;
  let log: SqliteJourneyLog;
  let store: SqliteReadStore;
  let runner: ProjectionRunner;
  beforeEach(async () => {
    dir = tempDataDir();
    log = new SqliteJourneyLog({ file: join(dir, 'log.db'), pollIntervalMs: 5 });
    store = new SqliteReadStore({ file: join(dir, 'read.db') });
    runner = new ProjectionRunner({ log, store, projections: PROJECTIONS });
    await runner.start();
  });
  afterEach(async () => {
    await runner.stop();
    await log.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'given random policies, orders and back-dated publications, every order is decided under the version its ' +
      'view shows, and no other',
    async () => {
      const ingestion = new EventIngestion(log);
      const reader = new JourneyReader(log, store, new ProjectionProgress(log, store));
      let seed = 5;
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const published: Array<{ policyId: string; version: number }> = [];
      const next = new Map<string, number>();
      const publish = async () => {
        const policyId = random() < 0.6 ? 'std' : 'alt';
        const version = (next.get(policyId) ?? 0) + 1;
        next.set(policyId, version);
        // Effective from any day of the first 60, "published" (its time) on any day: the producer chooses both.
        const effectiveFrom = day(Math.floor(random() * 60));
        await ingestion.ingest(
          journeyEvent(
            'policy.published',
            {
              policyId,
              version,
              kind: 'returns',
              wording: `${policyId} v${version}`,
              rules: { returnWindowDays: 30 },
              effectiveFrom,
            },
            { subject: `policy/${policyId}`, time: day(Math.floor(random() * 60)) },
          ),
          { owner: null },
        );
        published.push({ policyId, version });
      };
      const customers: string[] = [];
      for (let step = 0; step < 40; step++) {
        if (random() < 0.4) {
          await publish();
          continue;
        }
        const customer = `c${customers.length}`;
        customers.push(customer);
        const placedAt = day(10 + Math.floor(random() * 50));
        const orderId = `o-${customer}`;
        await ingestion.ingest(
          [
            journeyEvent(
              'order.placed',
              {
                orderId,
                channel: 'web',
                currency: 'EUR',
                items: [{ sku: 'a', name: 'A', qty: 1, unitPrice: 100 }],
                totals: { subtotal: 100, discount: 0, shipping: 0, fees: 0, tax: 0, total: 100 },
                promisedDelivery: { from: placedAt, to: placedAt },
              },
              { subject: customer, time: placedAt },
            ),
            journeyEvent(
              'return.requested',
              { returnId: `r-${customer}`, orderId, items: [{ sku: 'a', qty: 1 }], reason: 'x' },
              { subject: customer, time: placedAt },
            ),
          ],
          { owner: null },
        );
      }
      const head = (await log.head())!;
      await waitFor(async () => (await store.checkpoint('journey-view'))?.position === head, {
        what: 'the view caught up',
      });
      let governed = 0;
      for (const customer of customers) {
        const shown = (await reader.journey(customer, {})).body.orders[0].policy.returns;
        if (shown) governed++;
        const accepted: string[] = [];
        for (const { policyId, version } of published) {
          const decision = journeyEvent(
            'return.rejected',
            { returnId: `r-${customer}`, orderId: `o-${customer}`, policyId, policyVersion: version, reason: 'no' },
            { subject: customer, time: day(70) },
          );
          const outcome = await ingestion.ingest(decision, { owner: null }).catch((error: unknown) => error);
          if (!(outcome instanceof Error)) accepted.push(`${policyId} v${version}`);
          else expect(outcome).toMatchObject({ code: 'domain_rule_violated' });
        }
        expect({ customer, accepted }).toEqual({
          customer,
          accepted: shown ? [`${shown.policyId} v${shown.version}`] : [],
        });
      }
      // The scenario is not vacuous: most orders have a policy, and some publications came after orders.
      expect(governed).toBeGreaterThan(customers.length / 2);
    },
  );

  it(
    'given a policy published after an order with an earlier time and effectiveFrom, the order keeps the ' +
      'policy in force when it was received',
    async () => {
      const ingestion = new EventIngestion(log);
      const reader = new JourneyReader(log, store, new ProjectionProgress(log, store));
      const policy = (version: number, effectiveFrom: string, time: string) =>
        journeyEvent(
          'policy.published',
          {
            policyId: 'std',
            version,
            kind: 'returns',
            wording: `v${version}`,
            rules: { returnWindowDays: 30 },
            effectiveFrom,
          },
          { subject: 'policy/std', time },
        );
      await ingestion.ingest(policy(1, day(0), day(0)), { owner: null });
      const placedAt = day(30);
      await ingestion.ingest(
        journeyEvent(
          'order.placed',
          {
            orderId: 'o1',
            channel: 'web',
            currency: 'EUR',
            items: [{ sku: 'a', name: 'A', qty: 1, unitPrice: 100 }],
            totals: { subtotal: 100, discount: 0, shipping: 0, fees: 0, tax: 0, total: 100 },
            promisedDelivery: { from: placedAt, to: placedAt },
          },
          { subject: 'c1', time: placedAt },
        ),
        { owner: null },
      );
      // Back-dated: time and effectiveFrom between v1's effectiveFrom and the placement.
      const { position } = await ingestion.ingest(policy(2, day(10), day(10)), { owner: null });
      const view = await reader.journey('c1', { minPosition: position });
      expect(view.body.orders[0].policy.returns).toMatchObject({ policyId: 'std', version: 1 });
      await ingestion.ingest(
        journeyEvent(
          'return.requested',
          { returnId: 'r1', orderId: 'o1', items: [{ sku: 'a', qty: 1 }], reason: 'x' },
          { subject: 'c1', time: day(31) },
        ),
        { owner: null },
      );
      const under = (version: number) =>
        journeyEvent(
          'return.rejected',
          { returnId: 'r1', orderId: 'o1', policyId: 'std', policyVersion: version, reason: 'no' },
          { subject: 'c1', time: day(32) },
        );
      await expect(ingestion.ingest(under(2), { owner: null })).rejects.toMatchObject({ code: 'domain_rule_violated' });
      await expect(ingestion.ingest(under(1), { owner: null })).resolves.toMatchObject({ status: 201 });
    },
  );
});
