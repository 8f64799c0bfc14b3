import { extensionAttributesOf, withExtensionAttributes, type JourneyEvent } from '#schemas';
import { isBackboneError } from '#errors';
import { journeyEvent } from '#schemas/testing';
import { waitFor } from '#wait-for';
import type { JourneyLog, StoredEvent } from '../journey-log.port';

export interface LogUnderTest {
  log: JourneyLog;
  /** Closes and opens the same log again (durability). */
  reopen: () => Promise<JourneyLog>;
  cleanup?: () => Promise<void>;
}

const placed = (subject: string, orderId: string, time = '2026-03-01T10:00:00Z') =>
  journeyEvent(
    'order.placed',
    {
      orderId,
      channel: 'web',
      currency: 'EUR',
      items: [{ sku: 'A', name: 'A', qty: 1, unitPrice: 1000 }],
      totals: { subtotal: 1000, discount: 0, shipping: 0, fees: 0, tax: 0, total: 1000 },
      promisedDelivery: { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' },
    },
    { subject, time },
  );
const delivered = (subject: string, orderId: string, time: string) =>
  journeyEvent('shipment.delivered', { orderId, shipmentId: 's' }, { subject, time });
const linked = (subject: string, value: string) =>
  journeyEvent('identity.linked', { kind: 'email', value }, { subject });
const unlinked = (subject: string, value: string) =>
  journeyEvent('identity.unlinked', { kind: 'email', value }, { subject });
const opened = (subject: string, caseId: string) =>
  journeyEvent('contact.opened', { caseId, contactId: 'c', channel: 'chat', reason: 'r', tags: [] }, { subject });
const published = (policyId: string, version: number) =>
  journeyEvent(
    'policy.published',
    {
      policyId,
      version,
      kind: 'returns',
      wording: 'w',
      rules: { returnWindowDays: 30 },
      effectiveFrom: '2026-01-01T00:00:00Z',
    },
    { subject: `policy/${policyId}` },
  );
/** The same event under another source, or with other content. */
const withSource = (event: JourneyEvent, source: string) => ({ ...event, source }) as JourneyEvent;

/**
 * The behaviour every journey-log adapter must have. Each adapter's spec calls this with a factory
 * for a fresh, empty log (SQLite now; Kafka and EventStoreDB run the same suite).
 */
export function journeyLogContract(adapter: string, open: () => Promise<LogUnderTest>): void {
  describe(`JourneyLog contract: ${adapter}`, () => {
    let subject: LogUnderTest;
    let log: JourneyLog;
    beforeEach(async () => {
      subject = await open();
      log = subject.log;
    });
    afterEach(async () => {
      await log.close();
      await subject.cleanup?.();
    });

    it('appends a batch atomically and reports the position of its last event', async () => {
      expect(await log.head()).toBeNull();
      const result = await log.append([
        placed('c1', 'o1'),
        placed('c2', 'o2'),
        delivered('c1', 'o1', '2026-03-02T10:00:00Z'),
      ]);
      expect(result).toMatchObject({ accepted: 3, duplicates: 0, journeyVersions: { c1: 2, c2: 1 } });
      expect(await log.head()).toBe(result.position);
      const all = await log.readAll(null, 100);
      expect(all.map((e) => e.event.data)).toHaveLength(3);
      // The batch's position covers each of its events (per partition on a partitioned log).
      for (const stored of all) expect(log.positions.reached(result.position, stored.position)).toBe(true);
      const c1 = all.filter((s) => s.event.subject === 'c1');
      expect(log.positions.compare(c1[0].position, c1[1].position)).toBeLessThan(0);
      expect(log.positions.reached(c1[0].position, c1[1].position)).toBe(false);
    });

    it('keys events by source and id: the same id from another source is another event', async () => {
      const a = placed('c1', 'o1');
      const first = await log.append([a]);
      const other = await log.append([withSource({ ...placed('c2', 'o2'), id: a.id }, '/elsewhere')]);
      expect(other.accepted).toBe(1);
      expect(log.positions.compare(other.position, first.position)).not.toBe(0);
      expect(await log.readAll(null, 100)).toHaveLength(2);
    });

    it('refuses a known key with other content, whole, and a batch holding one key with two contents', async () => {
      const a = placed('c1', 'o1');
      await log.append([a]);
      const head = await log.head();
      const squatter = {
        ...a,
        data: { ...a.data, totals: { ...(a.data as { totals: object }).totals, total: 1 } },
      } as JourneyEvent;
      await expect(log.append([placed('c3', 'o3'), squatter])).rejects.toMatchObject({
        code: 'duplicate_id',
        keys: [{ source: a.source, id: a.id }],
      });
      const b = placed('c2', 'o2');
      await expect(log.append([b, { ...b, subject: 'c9' }])).rejects.toMatchObject({
        code: 'duplicate_id',
      });
      expect(await log.head()).toBe(head);
      expect(await log.journeyVersion('c3')).toBe(0);
      // The same content twice in one batch is one event.
      expect(await log.append([b, b])).toMatchObject({ accepted: 1, duplicates: 1 });
    });

    it('gives every event a sequence number, larger for an event received later, across journeys', async () => {
      await log.append([placed('c1', 'o1'), placed('c2', 'o2')]);
      await log.append([published('p', 1)]);
      await log.append([placed('c3', 'o3')]);
      const byId = new Map((await log.readAll(null, 100)).map((s) => [s.event.subject, s.sequence]));
      expect(byId.get('policy/p')!).toBeGreaterThan(Math.max(byId.get('c1')!, byId.get('c2')!));
      expect(byId.get('c3')!).toBeGreaterThan(byId.get('policy/p')!);
      const [journeyRead] = await log.readJourney('c3');
      expect(journeyRead.sequence).toBe(byId.get('c3'));
      // The append says each event's sequence, a repeat's too.
      const again = await log.append([placed('c4', 'o4'), journeyRead.event]);
      expect(again.sequences[1]).toBe(byId.get('c3'));
      expect(again.sequences[0]).toBe((await log.readJourney('c4'))[0].sequence);
    });

    it('reads the journeys of a kind (the policies) together, in the order they were received', async () => {
      await log.append([published('b', 1)]);
      await log.append([placed('c1', 'o1')]);
      await log.append([published('a', 1)]);
      await log.append([published('b', 2)]);
      const policies = await log.readJourneysByPrefix('policy/');
      expect(policies.map((s) => `${s.event.subject}@${(s.event.data as { version: number }).version}`)).toEqual([
        'policy/b@1',
        'policy/a@1',
        'policy/b@2',
      ]);
      expect(policies.map((s) => s.sequence)).toEqual([...policies.map((s) => s.sequence)].sort((x, y) => x - y));
      expect(await log.readJourneysByPrefix('nothing/')).toEqual([]);
    });

    it(
      'gives an order, a case or an identity to the first customer who states it, and refuses the ' + 'others',
      async () => {
        await log.append([placed('c1', 'o1'), opened('c1', 'k1'), linked('c1', 'Ada@Example.com')]);
        const head = await log.head();
        for (const [event, path] of [
          [placed('c2', 'o1'), 'data.orderId'],
          [opened('c2', 'k1'), 'data.caseId'],
          [linked('c2', 'ada@example.com'), 'data.value'],
        ] as const) {
          const refused = await log.append([placed('c2', `o-own-${path}`), event]).catch((error: unknown) => error);
          expect(refused).toMatchObject({ code: 'already_claimed', refused: [{ event: 1, path }] });
        }
        expect(await log.head()).toBe(head);
        // The owner goes on stating its own facts.
        expect((await log.append([opened('c1', 'k1'), linked('c1', 'ada@example.com')])).accepted).toBe(2);
      },
    );

    it('passes an identity on only once its owner has unlinked it', async () => {
      await log.append([linked('c1', 'x@example.com')]);
      await expect(log.append([unlinked('c2', 'x@example.com')])).rejects.toMatchObject({ code: 'already_claimed' });
      await log.append([unlinked('c1', 'x@example.com')]);
      expect((await log.append([linked('c2', 'x@example.com')])).accepted).toBe(1);
      await expect(log.append([linked('c1', 'x@example.com')])).rejects.toMatchObject({ code: 'already_claimed' });
      // Unlinked and taken in one batch, in that order.
      expect((await log.append([unlinked('c2', 'x@example.com'), linked('c3', 'x@example.com')])).accepted).toBe(2);
    });

    it('gives a fact claimed by two customers at once to one of them only', async () => {
      for (let round = 0; round < 5; round++) {
        const outcomes = await Promise.allSettled(
          ['a', 'b', 'c'].map((who) => log.append([linked(`${who}${round}`, `race-${round}@example.com`)])),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes)
          if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'already_claimed' });
      }
    });

    it('is idempotent on event id: a repeated id is not appended again and keeps its position', async () => {
      const a = placed('c1', 'o1');
      const b = placed('c1', 'o2');
      const first = await log.append([a, b]);
      const again = await log.append([a, b]);
      expect(again).toMatchObject({ accepted: 0, duplicates: 2, position: first.position });
      const mixed = await log.append([a, placed('c1', 'o3')]);
      expect(mixed).toMatchObject({ accepted: 1, duplicates: 1 });
      expect(await log.readAll(null, 100)).toHaveLength(3);
      expect(await log.journeyVersion('c1')).toBe(3);
    });

    it('rejects the whole batch with a typed conflict when a journey is not at the expected version', async () => {
      await log.append([placed('c1', 'o1')]);
      const head = await log.head();
      const attempt = log.append([placed('c2', 'o2'), placed('c1', 'o3')], { expectedVersions: { c1: 0 } });
      await expect(attempt).rejects.toMatchObject({
        code: 'version_conflict',
        retriable: true,
        expected: 0,
        actual: 1,
      });
      await attempt.catch((error: unknown) => expect(isBackboneError(error, 'version_conflict')).toBe(true));
      expect(await log.head()).toBe(head);
      expect(await log.journeyVersion('c2')).toBe(0);
      const ok = await log.append([placed('c1', 'o3')], { expectedVersions: { c1: 1, fresh: 0 } });
      expect(ok.accepted).toBe(1);
    });

    it('reads one journey in order, bounded by fact time or by position', async () => {
      const r1 = await log.append([placed('c1', 'o1', '2026-03-01T10:00:00Z'), placed('c2', 'o2')]);
      await log.append([delivered('c1', 'o1', '2026-03-05T10:00:00Z')]);
      // A late fact: appended last, happened before the delivery.
      await log.append([
        journeyEvent(
          'payment.captured',
          { orderId: 'o1', paymentId: 'p', amount: 1000, currency: 'EUR', method: 'card' },
          { subject: 'c1', time: '2026-03-01T10:01:00Z' },
        ),
      ]);
      const all = await log.readJourney('c1');
      expect(all.map((e) => e.event.type)).toEqual(['order.placed', 'shipment.delivered', 'payment.captured']);
      expect(all.map((e) => e.journeyVersion)).toEqual([1, 2, 3]);
      const byTime = await log.readJourney('c1', { time: '2026-03-02T00:00:00Z' });
      expect(byTime.map((e) => e.event.type)).toEqual(['order.placed', 'payment.captured']);
      const byPosition = await log.readJourney('c1', { position: r1.position });
      expect(byPosition.map((e) => e.event.type)).toEqual(['order.placed']);
      expect(await log.readJourney('nobody')).toEqual([]);
    });

    it('pages through the whole log after a position', async () => {
      const events = Array.from({ length: 25 }, (_, i) => placed(`c${i % 4}`, `o${i}`));
      await log.append(events);
      const seen: StoredEvent[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await log.readAll(after, 10);
        if (page.length === 0) break;
        seen.push(...page);
        // A reader's position is everything it has seen (per partition on a partitioned log).
        for (const stored of page) after = log.positions.merge(after, stored.position);
      }
      // Every event once; each journey in the order appended (the whole log in order where the adapter has a total
      // order).
      expect(seen.map((s) => s.event.id).sort()).toEqual(events.map((e) => e.id).sort());
      for (const journey of ['c0', 'c1', 'c2', 'c3']) {
        expect(seen.filter((s) => s.event.subject === journey).map((s) => s.event.id)).toEqual(
          events.filter((e) => e.subject === journey).map((e) => e.id),
        );
      }
    });

    it('subscribes from a position: past events first, then new ones as they are appended, in order', async () => {
      const first = await log.append([placed('c1', 'o1'), placed('c1', 'o2')]);
      const received: string[] = [];
      const subscription = log.subscribe(null, async (batch) => void received.push(...batch.map((s) => s.event.id)), {
        batchSize: 1,
      });
      await waitFor(() => received.length === 2, { what: 'catch-up', timeoutMs: 30_000 });
      const next = placed('c2', 'o3');
      await log.append([next]);
      await waitFor(() => received.length === 3, { what: 'live event', timeoutMs: 30_000 });
      await subscription.stop();
      expect(received[2]).toBe(next.id);
      const fromMiddle: string[] = [];
      const partial = log.subscribe(
        first.position,
        async (batch) => void fromMiddle.push(...batch.map((s) => s.event.id)),
      );
      await waitFor(() => fromMiddle.length === 1, { what: 'events after the position', timeoutMs: 30_000 });
      await partial.stop();
      expect(fromMiddle).toEqual([next.id]);
    });

    it('hands each batch with a position that has seen all of it, on every partition it spans', async () => {
      const events = Array.from({ length: 40 }, (_, i) => placed(`c${i % 8}`, `o${i}`));
      await log.append(events);
      const batches: Array<{ batch: StoredEvent[]; upTo: string }> = [];
      const subscription = log.subscribe(null, async (batch, upTo) => void batches.push({ batch, upTo }), {
        batchSize: 100,
      });
      await waitFor(() => batches.reduce((n, b) => n + b.batch.length, 0) === events.length, {
        what: 'all events',
        timeoutMs: 30_000,
      });
      await subscription.stop();
      for (const { batch, upTo } of batches) {
        for (const stored of batch) expect(log.positions.reached(upTo, stored.position)).toBe(true);
      }
    });

    it('stops a subscription whose handler throws, so no event is skipped', async () => {
      await log.append([placed('c1', 'o1')]);
      const subscription = log.subscribe(null, async () => {
        throw new Error('boom');
      });
      await expect(subscription.done).rejects.toThrow('boom');
    });

    it('reads old schema versions upcast to the latest', async () => {
      await log.append([
        placed('c1', 'o1'),
        journeyEvent(
          'shipment.delayed',
          { orderId: 'o1', shipmentId: 's', newEta: '2026-03-09T00:00:00Z', reason: 'Storm at the hub' },
          { subject: 'c1', schemaversion: 1 },
        ),
      ]);
      const [, delayed] = await log.readJourney('c1');
      expect(delayed.event).toMatchObject({
        type: 'shipment.delayed',
        schemaversion: 2,
        data: { reasonCode: 'weather', reason: 'Storm at the hub' },
      });
    });

    it('keeps CloudEvents extension attributes: read by journey, page and subscription, after a restart', async () => {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const event = withExtensionAttributes(placed('c1', 'o1'), { traceparent, tenant: 'acme', dataschema: 'urn:x' });
      await log.append([event, placed('c2', 'o2')]);
      const kept = { traceparent, tenant: 'acme', dataschema: 'urn:x' };
      expect(extensionAttributesOf((await log.readJourney('c1'))[0].event)).toEqual(kept);
      expect(extensionAttributesOf((await log.readJourney('c2'))[0].event)).toEqual({});
      const page = await log.readAll(null, 10);
      expect(extensionAttributesOf(page.find((s) => s.event.subject === 'c1')!.event)).toEqual(kept);
      const seen: StoredEvent[] = [];
      const subscription = log.subscribe(null, async (batch) => void seen.push(...batch));
      await waitFor(() => seen.length === 2, { what: 'both events', timeoutMs: 30_000 });
      await subscription.stop();
      expect(extensionAttributesOf(seen.find((s) => s.event.subject === 'c1')!.event)).toEqual(kept);
      log = await subject.reopen();
      expect(extensionAttributesOf((await log.readJourney('c1'))[0].event)).toEqual(kept);
      // A retry with the same attributes is a duplicate; other attributes under the same key are another content.
      expect((await log.append([event])).duplicates).toBe(1);
      await expect(log.append([withExtensionAttributes(event, { tenant: 'other' })])).rejects.toMatchObject({
        code: 'duplicate_id',
      });
    });

    it('validates position tokens', async () => {
      const { position } = await log.append([placed('c1', 'o1')]);
      expect(() => log.positions.validate(position)).not.toThrow();
      for (const bad of ['', 'garbage', '-1', 'x9']) {
        expect(() => log.positions.validate(bad)).toThrow(expect.objectContaining({ code: 'invalid_position' }));
      }
      expect(log.positions.reached(null, position)).toBe(false);
      expect(log.positions.reached(position, position)).toBe(true);
    });

    it('keeps every appended event across a restart', async () => {
      const result = await log.append([placed('c1', 'o1'), placed('c1', 'o2')]);
      log = await subject.reopen();
      expect(await log.head()).toBe(result.position);
      expect(await log.journeyVersion('c1')).toBe(2);
      expect((await log.append([placed('c1', 'o3')])).journeyVersions).toEqual({ c1: 3 });
    });
  });
}
