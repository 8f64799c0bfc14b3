import { TEST_DATABASE_URL, dropSchema, journeyEvent, uniqueSchemaName } from '../../../testing/src';
import { PostgresEventIndex, type IndexedEvent } from './postgres-event-index';

/** Values that must survive the escaped statements of the append path exactly. */
const AWKWARD = `it's a \\ back'slash\\' "quote" café ☕ 𝄞 \n new line`;

function indexed(event: ReturnType<typeof journeyEvent>, journeyVersion: number, offset: number): IndexedEvent {
  return { id: event.id, journeyId: event.subject, journeyVersion, partition: 2, offset, time: event.time, envelope: event };
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

  it('given awkward ids, subjects and texts, when appended under lock, then lookup and journey give them back exactly', async () => {
    const subject = `cust-${AWKWARD}`;
    const first = journeyEvent('feedback.received', { score: 4, verbatim: AWKWARD }, { subject, id: `id-${AWKWARD}` });
    const second = journeyEvent('feedback.received', { score: 5 }, { subject, id: `id2-'` });
    const seen = await index.appendLocked([first.id, second.id], { written: [subject], checked: [] }, async (found) => ({
      record: [indexed(first, 1, 10), indexed(second, 2, 11)],
      result: found,
    }));
    expect(seen.existing.size).toBe(0);
    expect(seen.versions.size).toBe(0);
    const after = await index.lookup([first.id, second.id, 'absent'], [subject, 'nobody']);
    expect(after.existing).toEqual(new Map([[first.id, { partition: 2, offset: 10 }], [second.id, { partition: 2, offset: 11 }]]));
    expect(after.versions).toEqual(new Map([[subject, 2]]));
    const journey = await index.journey(subject);
    expect(journey.map((e) => JSON.stringify(e.envelope))).toEqual([JSON.stringify(first), JSON.stringify(second)]);
    expect(journey.map((e) => [e.id, e.journeyId, e.journeyVersion, e.offset])).toEqual([
      [first.id, subject, 1, 10],
      [second.id, subject, 2, 11],
    ]);
  });

  it('given work that fails after the locks, when appending, then nothing is recorded and the locks are free again', async () => {
    const event = journeyEvent('feedback.received', { score: 1 }, { subject: 'cust-x' });
    await expect(
      index.appendLocked([event.id], { written: ['cust-x'], checked: [] }, async () => {
        throw new Error('the Kafka send failed');
      }),
    ).rejects.toThrow('the Kafka send failed');
    expect((await index.lookup([event.id], ['cust-x'])).existing.size).toBe(0);
    // The same journey can be appended at once: the failed transaction released its lock.
    await index.appendLocked([event.id], { written: ['cust-x'], checked: [] }, async () => ({ record: [indexed(event, 1, 0)], result: undefined }));
    expect((await index.lookup([], ['cust-x'])).versions.get('cust-x')).toBe(1);
  });

  it('given two appends on one journey at once, when both run, then the second sees what the first recorded', async () => {
    const a = journeyEvent('feedback.received', { score: 1 }, { subject: 'cust-y' });
    const b = journeyEvent('feedback.received', { score: 2 }, { subject: 'cust-y' });
    let release: () => void = () => undefined;
    const firstHolds = new Promise<void>((r) => (release = r));
    const first = index.appendLocked([a.id], { written: ['cust-y'], checked: [] }, async () => {
      await firstHolds;
      return { record: [indexed(a, 1, 0)], result: undefined };
    });
    const second = index.appendLocked([b.id], { written: ['cust-y'], checked: [] }, async ({ versions }) => ({ record: [indexed(b, (versions.get('cust-y') ?? 0) + 1, 1)], result: versions.get('cust-y') ?? 0 }));
    await new Promise((r) => setTimeout(r, 100));
    release();
    await first;
    expect(await second).toBe(1);
    expect((await index.lookup([], ['cust-y'])).versions.get('cust-y')).toBe(2);
  });

  it('given a batch whose records are all indexed, or some not, when asked which are placed, then it answers per record', async () => {
    const events = Array.from({ length: 4 }, (_, i) => journeyEvent('feedback.received', { score: 1 }, { subject: `cust-${i}` }));
    // Indexed: partition 2 at offsets 10 and 11, partition 3 at offset 5 (offset 6 is a copy the index holds elsewhere).
    await index.record([indexed(events[0], 1, 10), indexed(events[1], 1, 11), { ...indexed(events[2], 1, 5), partition: 3 }]);
    const whole = await index.placed([2, 2], [10, 11]);
    expect([whole(2, 10), whole(2, 11)]).toEqual([true, true]);
    const mixed = await index.placed([2, 2, 3, 3, 4], [10, 11, 5, 6, 0]);
    expect([mixed(2, 10), mixed(2, 11), mixed(3, 5), mixed(3, 6), mixed(4, 0)]).toEqual([true, true, true, false, false]);
    expect((await index.placed([], []))(2, 10)).toBe(false);
  });

  it('given two appends that only check the same journey, when both run, then neither waits for the other; one writing it waits for both', async () => {
    const events = Array.from({ length: 3 }, (_, i) => journeyEvent('feedback.received', { score: 1 }, { subject: `cust-z${i}` }));
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const checking = (i: number) =>
      index.appendLocked([events[i].id], { written: [events[i].subject], checked: ['policy/returns'] }, async () => {
        order.push(`check ${i} in`);
        await held;
        return { record: [indexed(events[i], 1, i)], result: undefined };
      });
    const a = checking(0);
    const b = checking(1);
    await new Promise((r) => setTimeout(r, 200));
    // Both are inside together: the shared locks did not exclude each other.
    const bothIn = ['check 0 in', 'check 1 in'].every((step) => order.includes(step));
    if (!bothIn) release();
    expect(bothIn).toBe(true);
    const publish = journeyEvent('feedback.received', { score: 2 }, { subject: 'cust-publisher' });
    const writing = index.appendLocked([publish.id], { written: ['policy/returns'], checked: [] }, async () => {
      order.push('write in');
      return { record: [{ ...indexed(publish, 1, 9), journeyId: 'policy/returns' }], result: undefined };
    });
    await new Promise((r) => setTimeout(r, 200));
    release();
    expect(order).not.toContain('write in');
    await Promise.all([a, b, writing]);
    expect(order[order.length - 1]).toBe('write in');
    // A journey only checked is looked up like a written one: its version comes back.
    const seen = await index.appendLocked([events[2].id], { written: [events[2].subject], checked: ['policy/returns'] }, async ({ versions }) => ({ record: [], result: versions }));
    expect(seen.get('policy/returns')).toBe(1);
  });
});
