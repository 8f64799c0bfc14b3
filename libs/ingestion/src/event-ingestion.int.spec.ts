import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJourneyLog } from '#journey-log';
import { journeyEvent, tempDataDir } from '#testing';
import { EventIngestion } from './event-ingestion';

const C = 'cust-1';
const placed = (subject = C, orderId = 'o1') =>
  journeyEvent(
    'order.placed',
    {
      orderId,
      channel: 'web',
      currency: 'EUR',
      items: [{ sku: 'a', name: 'A', qty: 1, unitPrice: 10000 }],
      totals: { subtotal: 10000, discount: 0, shipping: 0, fees: 0, tax: 0, total: 10000 },
      promisedDelivery: { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' },
    },
    { subject },
  );
const captured = () =>
  journeyEvent(
    'payment.captured',
    { orderId: 'o1', paymentId: 'p', amount: 10000, currency: 'EUR', method: 'card' },
    { subject: C },
  );
const refund = (amount: number) =>
  journeyEvent(
    'refund.issued',
    { refundId: `r-${Math.random()}`, orderId: 'o1', amount, currency: 'EUR' },
    { subject: C },
  );

describe('event ingestion', () => {
  let dir: string;
  let log: SqliteJourneyLog;
  beforeEach(() => {
    dir = tempDataDir();
    log = new SqliteJourneyLog({ file: join(dir, 'log.db') });
  });
  afterEach(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks rules against what another writer appended since it last saw the journey', async () => {
    const a = new EventIngestion(log);
    const b = new EventIngestion(log);
    await a.ingest([placed(), captured(), refund(1000)], { owner: null });
    await b.ingest(refund(6000), { owner: null });
    // a has facts cached from its own append: refunded 1000. The log says 7000.
    await expect(a.ingest(refund(5000), { owner: null })).rejects.toMatchObject({ code: 'domain_rule_violated' });
    await expect(a.ingest(refund(3000), { owner: null })).resolves.toMatchObject({ status: 201 });
  });

  it('lets only one of two concurrent refunds through when both would exceed the capture', async () => {
    const ingestion = new EventIngestion(log);
    await ingestion.ingest([placed(), captured()], { owner: null });
    const results = await Promise.allSettled([
      ingestion.ingest(refund(6000), { owner: null }),
      ingestion.ingest(refund(6000), { owner: null }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'domain_rule_violated',
    });
    expect(await log.journeyVersion(C)).toBe(3);
  });

  it("reads the facts of a batch's journeys from the log together, not one journey after another", async () => {
    // Each read takes a few milliseconds, like a round trip to a remote log.
    let reading = 0;
    let mostAtOnce = 0;
    const slow =
      <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        mostAtOnce = Math.max(mostAtOnce, ++reading);
        await new Promise((resolve) => setTimeout(resolve, 5));
        reading--;
        return read(...args);
      };
    log.readJourney = slow(log.readJourney.bind(log));
    log.journeyVersion = slow(log.journeyVersion.bind(log));
    const ingestion = new EventIngestion(log);
    const customers = ['c1', 'c2', 'c3', 'c4', 'c5'];
    await ingestion.ingest(
      customers.map((c) => placed(c, `o-${c}`)),
      { owner: null },
    );
    expect(mostAtOnce).toBe(5);
    mostAtOnce = 0;
    // Known journeys: only their versions are read, again together.
    await ingestion.ingest(
      customers.map((c) => placed(c, `o2-${c}`)),
      { owner: null },
    );
    expect(mostAtOnce).toBe(5);
    expect(await Promise.all(customers.map((c) => log.journeyVersion(c)))).toEqual([2, 2, 2, 2, 2]);
  });

  it('appends nothing of a batch with one broken rule', async () => {
    const ingestion = new EventIngestion(log);
    await expect(ingestion.ingest([placed(), captured(), refund(10001)], { owner: null })).rejects.toMatchObject({
      code: 'domain_rule_violated',
      errors: [expect.objectContaining({ index: 2, path: 'data.amount' })],
    });
    expect(await log.head()).toBeNull();
  });
});
