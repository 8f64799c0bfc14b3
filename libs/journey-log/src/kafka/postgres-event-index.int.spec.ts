import { Pool } from 'pg';
import { eventKey } from '#schemas';
import { TEST_DATABASE_URL, dropSchema, journeyEvent, uniqueSchemaName } from '#testing';
import { PostgresEventIndex, type AppendLookup, type IndexedEvent } from './postgres-event-index';

/** Values that must survive the escaped statements of the append path exactly. */
const AWKWARD = `it's a \\ back'slash\\' "quote" café ☕ 𝄞 \n new line`;
/** The same in an id (no line break: ids hold no invisible characters). */
const AWKWARD_ID = AWKWARD.replace(/\n/g, '');

function indexed(
  event: ReturnType<typeof journeyEvent>,
  journeyVersion: number,
  offset: number,
  sequence?: number,
): IndexedEvent {
  return {
    id: event.id,
    journeyId: event.subject,
    journeyVersion,
    partition: 2,
    offset,
    time: event.time,
    envelope: event,
    sequence,
  };
}

/** What an append of `events` on `written` journeys looks up (checking `checked`). */
function appending(
  events: ReadonlyArray<ReturnType<typeof journeyEvent>>,
  written: string[],
  checked: string[] = [],
): AppendLookup {
  return {
    keys: events.map((e) => ({ source: e.source, id: e.id })),
    journeys: { written, checked },
    claims: [],
    writesPolicy: false,
    sequences: events.length,
  };
}

describe('PostgresEventIndex (real PostgreSQL)', () => {
  let schema: string;
  let index: PostgresEventIndex;
  beforeEach(() => {
    schema = uniqueSchemaName('idx_test');
    index = new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema, poolSize: 4 });
  });
  afterEach(async () => {
    await index.close();
    await dropSchema(schema);
  });

  it(
    'given awkward ids, subjects and texts, when appended under lock, then lookup and journey give them back ' +
      'exactly',
    async () => {
      const subject = `cust-${AWKWARD_ID}`;
      const first = journeyEvent(
        'feedback.received',
        { score: 4, verbatim: AWKWARD },
        { subject, id: `id-${AWKWARD_ID}` },
      );
      const second = journeyEvent('feedback.received', { score: 5 }, { subject, id: `id2-'` });
      const seen = await index.appendLocked(appending([first, second], [subject]), async (found) => ({
        record: [indexed(first, 1, 10, found.sequences[0]), indexed(second, 2, 11, found.sequences[1])],
        claims: [],
        result: found,
      }));
      expect(seen.existing.size).toBe(0);
      expect(seen.versions.size).toBe(0);
      expect(seen.sequences[1]).toBeGreaterThan(seen.sequences[0]);
      const homes = await index.homes([first, second, { source: '/test', id: 'absent' }]);
      expect(homes).toEqual(
        new Map([
          [eventKey(first), { partition: 2, offset: 10, sequence: seen.sequences[0] }],
          [eventKey(second), { partition: 2, offset: 11, sequence: seen.sequences[1] }],
        ]),
      );
      expect(await index.versions([subject, 'nobody'])).toEqual(new Map([[subject, 2]]));
      const again = await index.appendLocked(appending([first], [subject]), async (found) => ({
        record: [],
        claims: [],
        result: found,
      }));
      expect(again.existing.get(eventKey(first))).toEqual({
        partition: 2,
        offset: 10,
        envelope: first,
        sequence: seen.sequences[0],
      });
      const journey = await index.journey(subject);
      expect(journey.map((e) => JSON.stringify(e.envelope))).toEqual([JSON.stringify(first), JSON.stringify(second)]);
      expect(journey.map((e) => [e.id, e.journeyId, e.journeyVersion, e.offset])).toEqual([
        [first.id, subject, 1, 10],
        [second.id, subject, 2, 11],
      ]);
    },
  );

  it(
    'given work that fails after the locks, when appending, then nothing is recorded and the locks are free ' + 'again',
    async () => {
      const event = journeyEvent('feedback.received', { score: 1 }, { subject: 'cust-x' });
      await expect(
        index.appendLocked(appending([event], ['cust-x']), async () => {
          throw new Error('the Kafka send failed');
        }),
      ).rejects.toThrow('the Kafka send failed');
      expect((await index.homes([event])).size).toBe(0);
      // The same journey can be appended at once: the failed transaction released its lock.
      await index.appendLocked(appending([event], ['cust-x']), async ({ sequences }) => ({
        record: [indexed(event, 1, 0, sequences[0])],
        claims: [],
        result: undefined,
      }));
      expect((await index.versions(['cust-x'])).get('cust-x')).toBe(1);
    },
  );

  it(
    'given two appends on one journey at once, when both run, then the second sees what the first ' + 'recorded',
    async () => {
      const a = journeyEvent('feedback.received', { score: 1 }, { subject: 'cust-y' });
      const b = journeyEvent('feedback.received', { score: 2 }, { subject: 'cust-y' });
      let release: () => void = () => undefined;
      const firstHolds = new Promise<void>((r) => (release = r));
      const first = index.appendLocked(appending([a], ['cust-y']), async ({ sequences }) => {
        await firstHolds;
        return { record: [indexed(a, 1, 0, sequences[0])], claims: [], result: undefined };
      });
      const second = index.appendLocked(appending([b], ['cust-y']), async ({ versions, sequences }) => ({
        record: [indexed(b, (versions.get('cust-y') ?? 0) + 1, 1, sequences[0])],
        claims: [],
        result: versions.get('cust-y') ?? 0,
      }));
      await new Promise((r) => setTimeout(r, 100));
      release();
      await first;
      expect(await second).toBe(1);
      expect((await index.versions(['cust-y'])).get('cust-y')).toBe(2);
    },
  );

  it(
    'given a batch whose records are all indexed, or some not, when asked which are placed, then it answers ' +
      'per record',
    async () => {
      const events = Array.from({ length: 4 }, (_, i) =>
        journeyEvent('feedback.received', { score: 1 }, { subject: `cust-${i}` }),
      );
      // Indexed: partition 2 at offsets 10 and 11, partition 3 at offset 5 (offset 6 is a copy the index holds
      // elsewhere).
      expect(
        await index.recordChecked([
          indexed(events[0], 1, 10),
          indexed(events[1], 1, 11),
          { ...indexed(events[2], 1, 5), partition: 3 },
        ]),
      ).toEqual(new Set());
      const whole = await index.placed([2, 2], [10, 11]);
      expect([whole(2, 10), whole(2, 11)]).toEqual([true, true]);
      const mixed = await index.placed([2, 2, 3, 3, 4], [10, 11, 5, 6, 0]);
      expect([mixed(2, 10), mixed(2, 11), mixed(3, 5), mixed(3, 6), mixed(4, 0)]).toEqual([
        true,
        true,
        true,
        false,
        false,
      ]);
      expect((await index.placed([], []))(2, 10)).toBe(false);
    },
  );

  it(
    'given two appends that only check the same journey, when both run, then neither waits for the other; one ' +
      'writing it waits for both',
    async () => {
      const events = Array.from({ length: 3 }, (_, i) =>
        journeyEvent('feedback.received', { score: 1 }, { subject: `cust-z${i}` }),
      );
      const order: string[] = [];
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      const checking = (i: number) =>
        index.appendLocked(appending([events[i]], [events[i].subject], ['policy/returns']), async ({ sequences }) => {
          order.push(`check ${i} in`);
          await held;
          return { record: [indexed(events[i], 1, i, sequences[0])], claims: [], result: undefined };
        });
      const a = checking(0);
      const b = checking(1);
      await new Promise((r) => setTimeout(r, 200));
      // Both are inside together: the shared locks did not exclude each other.
      const bothIn = ['check 0 in', 'check 1 in'].every((step) => order.includes(step));
      if (!bothIn) release();
      expect(bothIn).toBe(true);
      const publish = journeyEvent('feedback.received', { score: 2 }, { subject: 'cust-publisher' });
      const writing = index.appendLocked(
        { ...appending([publish], ['policy/returns']), writesPolicy: true },
        async ({ sequences }) => {
          order.push('write in');
          return {
            record: [{ ...indexed(publish, 1, 9, sequences[0]), journeyId: 'policy/returns' }],
            claims: [],
            result: undefined,
          };
        },
      );
      await new Promise((r) => setTimeout(r, 200));
      release();
      expect(order).not.toContain('write in');
      await Promise.all([a, b, writing]);
      expect(order[order.length - 1]).toBe('write in');
      // A journey only checked is looked up like a written one: its version comes back.
      const seen = await index.appendLocked(
        appending([events[2]], [events[2].subject], ['policy/returns']),
        async ({ versions }) => ({ record: [], claims: [], result: versions }),
      );
      expect(seen.get('policy/returns')).toBe(1);
    },
  );

  it(
    'given an append writing a policy, when another append runs meanwhile, then one waits for the other: a ' +
      'policy is numbered and committed wholly before or after it',
    async () => {
      const policy = journeyEvent('feedback.received', { score: 1 }, { subject: 'cust-p' });
      const order = journeyEvent('feedback.received', { score: 2 }, { subject: 'cust-o' });
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      const steps: string[] = [];
      const publishing = index.appendLocked(
        { ...appending([policy], ['policy/p']), writesPolicy: true },
        async ({ sequences }) => {
          steps.push('policy in');
          await held;
          steps.push('policy out');
          return {
            record: [{ ...indexed(policy, 1, 0, sequences[0]), journeyId: 'policy/p' }],
            claims: [],
            result: sequences[0],
          };
        },
      );
      await new Promise((r) => setTimeout(r, 100));
      const ordering = index.appendLocked(appending([order], ['cust-o']), async ({ sequences }) => {
        steps.push('order in');
        return { record: [indexed(order, 1, 1, sequences[0])], claims: [], result: sequences[0] };
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(steps).toEqual(['policy in']);
      release();
      const [policySequence, orderSequence] = await Promise.all([publishing, ordering]);
      expect(steps).toEqual(['policy in', 'policy out', 'order in']);
      expect(orderSequence).toBeGreaterThan(policySequence);
    },
  );

  it(
    'given records written around the appender, when indexed with their claims, then a claim another customer ' +
      'holds refuses its record, and the rest are numbered in order',
    async () => {
      const placedA = journeyEvent(
        'order.placed',
        {
          orderId: 'o-1',
          channel: 'web',
          currency: 'EUR',
          items: [{ sku: 'A', name: 'A', qty: 1, unitPrice: 100 }],
          totals: { subtotal: 100, discount: 0, shipping: 0, fees: 0, tax: 0, total: 100 },
          promisedDelivery: { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' },
        },
        { subject: 'cust-a' },
      );
      const hijack = journeyEvent(
        'order.placed',
        { ...(placedA.data as object), orderId: 'o-1' },
        { subject: 'cust-b' },
      );
      const linked = journeyEvent(
        'identity.linked',
        { kind: 'email', value: 'Ada@Example.com' },
        { subject: 'cust-a' },
      );
      const refused = await index.recordChecked([
        indexed(placedA, 1, 0),
        { ...indexed(hijack, 1, 0), partition: 3 },
        indexed(linked, 2, 1),
      ]);
      expect([...refused].map((r) => r.journeyId)).toEqual(['cust-b']);
      const homes = await index.homes([placedA, hijack, linked]);
      expect(homes.has(eventKey(hijack))).toBe(false);
      expect(homes.get(eventKey(linked))!.sequence).toBeGreaterThan(homes.get(eventKey(placedA))!.sequence);
      const { rows } = await index.pool.query(`SELECT claim, journey_id FROM ${schema}.journey_claims ORDER BY claim`);
      expect(rows).toEqual([
        { claim: 'identity:email/ada@example.com', journey_id: 'cust-a' },
        { claim: 'order:o-1', journey_id: 'cust-a' },
      ]);
    },
  );

  it(
    'given an index made before events were keyed by source and claims existed, when migrated, then keys, ' +
      'sequence numbers and claims are filled from what it holds',
    async () => {
      const pool = new Pool({ connectionString: TEST_DATABASE_URL });
      try {
        await pool.query(`CREATE SCHEMA ${schema}`);
        await pool.query(
          `CREATE TABLE ${schema}.schema_migrations (component text NOT NULL, version integer NOT NULL, ` +
            `applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`,
        );
        await pool.query(`CREATE TABLE ${schema}.journey_events (id text PRIMARY KEY, journey_id text NOT NULL,
          journey_version integer NOT NULL, partition integer NOT NULL, "offset" bigint NOT NULL, time text NOT
            NULL, envelope json NOT NULL, UNIQUE (partition, "offset"));
        CREATE TABLE ${schema}.journey_heads (journey_id text PRIMARY KEY, version integer NOT NULL);
        INSERT INTO ${schema}.schema_migrations (component, version) VALUES ('event-index', 1);`);
        const a = journeyEvent('identity.linked', { kind: 'email', value: 'x@example.com' }, { subject: 'cust-first' });
        const b = journeyEvent(
          'identity.linked',
          { kind: 'email', value: 'X@example.com' },
          { subject: 'cust-second' },
        );
        for (const [i, e] of [a, b].entries()) {
          await pool.query(`INSERT INTO ${schema}.journey_events VALUES ($1, $2, 1, 0, $3, $4, $5)`, [
            e.id,
            e.subject,
            i,
            e.time,
            JSON.stringify(e),
          ]);
        }
        await index.migrate();
        expect((await index.homes([a, b])).get(eventKey(b))).toEqual({ partition: 0, offset: 1, sequence: 2 });
        const { rows } = await pool.query(`SELECT claim, journey_id FROM ${schema}.journey_claims`);
        expect(rows).toEqual([{ claim: 'identity:email/x@example.com', journey_id: 'cust-first' }]);
      } finally {
        await pool.end();
      }
    },
  );
});
