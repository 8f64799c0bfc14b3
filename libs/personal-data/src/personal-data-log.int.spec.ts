import { join } from 'node:path';
import { SqliteJourneyLog, type JourneyLog } from '#journey-log';
import { SqliteReadStore } from '#read-store';
import { ERASED, claimsOf, useIdentityLookupHash, type JourneyEvent } from '#schemas';
import { tempDataDir } from '#testing';
import { FileMasterKey } from './master-key';
import { rotateMasterKey } from './master-key-rotation';
import { PersonalData } from './personal-data';
import { UNREADABLE } from './personal-data-log';

const event = (id: string, type: string, data: object, subject = 'cust-1') =>
  ({ specversion: '1.0', id, source: '/pd-test', type, subject, time: '2026-03-01T10:00:00Z', data }) as JourneyEvent;

const contact = event('e1', 'contact.opened', {
  caseId: 'case-1',
  contactId: 'ct-1',
  channel: 'chat',
  reason: 'Anna Kowalska: the lamp flickers',
  tags: ['confusion'],
  summary: 'call her on +48 600 100 200',
});
const linked = event('e2', 'identity.linked', { kind: 'email', value: 'Anna.K@example.com' });
const order = event('e3', 'order.placed', {
  orderId: 'o-1',
  channel: 'web',
  currency: 'EUR',
  items: [{ sku: 'A', name: 'Lamp', qty: 1, unitPrice: 1000 }],
  totals: { subtotal: 1000, discount: 0, shipping: 0, fees: 0, tax: 0, total: 1000 },
  promisedDelivery: { from: '2026-03-02T00:00:00Z', to: '2026-03-04T00:00:00Z' },
});

/** The personal-data layer over a real SQLite log and read store (files, so a second process view is possible). */
async function setUp() {
  const dir = tempDataDir('personal-data-');
  const bare = new SqliteJourneyLog({ file: join(dir, 'log.db') });
  const store = new SqliteReadStore({ file: join(dir, 'read.db') });
  const master = new FileMasterKey(join(dir, 'master.key'), { create: true });
  const personalData = await PersonalData.open(store.keyStore(), master);
  const log: JourneyLog = personalData.log(bare);
  return { dir, bare, store, master, personalData, log };
}

/** The erasure's effect on the keys alone: destroyed in the store, forgotten by this process. */
async function eraseCustomer1({
  store,
  personalData,
}: Pick<Awaited<ReturnType<typeof setUp>>, 'store' | 'personalData'>) {
  await store
    .keyStore()
    .erase(
      { customerId: 'cust-1', erasedAt: '2026-03-02T00:00:00.000Z', reason: 'art. 17', requestedBy: 'k' },
      { byId: [], naming: [] },
    );
  personalData.keys.evict('cust-1');
}

describe('personal data in the log', () => {
  afterEach(() => useIdentityLookupHash(undefined));

  it('seals personal fields before the adapter sees them and opens them for every reader', async () => {
    const { bare, log, store } = await setUp();
    await log.append([contact, linked, order]);
    const raw = await bare.readJourney('cust-1');
    const rawContact = raw[0].event as JourneyEvent & { data: Record<string, string> };
    expect(rawContact.personaldatakey).toMatch(/^pdk-/);
    expect(rawContact.data.reason).toMatch(/^pd1\./);
    expect(rawContact.data.summary).toMatch(/^pd1\./);
    expect(rawContact.data).toMatchObject({ caseId: 'case-1', channel: 'chat', tags: ['confusion'] });
    expect(JSON.stringify(raw)).not.toMatch(/Anna|Kowalska|600 100|example\.com/i);
    // Facts are not sealed, and an event without personal data names no key.
    expect(raw[2].event).toEqual(order);
    // A sealed identity carries its keyed hash: claims are decided on it, never on the value.
    expect(claimsOf(raw[1].event)[0].key).toMatch(/^identity:email\/#[\w-]{43}$/);
    expect((await log.readJourney('cust-1')).map((s) => s.event)).toEqual([
      { ...contact, personaldatakey: rawContact.personaldatakey },
      { ...linked, personaldatakey: rawContact.personaldatakey },
      order,
    ]);
    expect((await log.readAll(null, 10)).map((s) => s.event.data)).toEqual([contact.data, linked.data, order.data]);
    await log.close();
    await store.close();
  });

  it('recognises a retried append as the same event (the same bytes), and a changed one as another', async () => {
    const { log, store } = await setUp();
    await log.append([contact]);
    expect(await log.append([contact])).toMatchObject({ accepted: 0, duplicates: 1 });
    const changed = { ...contact, data: { ...contact.data, reason: 'something else' } } as JourneyEvent;
    await expect(log.append([changed])).rejects.toMatchObject({ code: 'duplicate_id' });
    await log.close();
    await store.close();
  });

  it('refuses a second customer linking the same identity spelt otherwise (the keyed hash is normalised)', async () => {
    const { log, store } = await setUp();
    await log.append([linked]);
    const other = event('e9', 'identity.linked', { kind: 'email', value: ' anna.k@EXAMPLE.com ' }, 'cust-2');
    await expect(log.append([other])).rejects.toMatchObject({ code: 'already_claimed' });
    await log.close();
    await store.close();
  });

  it('reads "[erased]" once the key is destroyed, on every read, and refuses the journey new events', async () => {
    const { log, store, personalData } = await setUp();
    await log.append([contact, order]);
    await eraseCustomer1({ store, personalData });
    const [read] = await log.readJourney('cust-1');
    expect(read.event.data).toMatchObject({ reason: ERASED, summary: ERASED, caseId: 'case-1', tags: ['confusion'] });
    await expect(log.append([event('e5', 'order.cancelled', { orderId: 'o-1', reason: 'x' })])).rejects.toMatchObject({
      code: 'erased',
    });
    await log.close();
    await store.close();
  });

  it('gives compared values (contact reasons) a keyed hash that compares as they did, also once erased', async () => {
    const { log, store, personalData } = await setUp();
    const again = event('e6', 'contact.opened', { ...contact.data, caseId: 'case-2', contactId: 'ct-2' });
    const other = event('e7', 'contact.opened', { ...contact.data, caseId: 'case-3', contactId: 'ct-3', reason: 'no' });
    await log.append([contact, again, other]);
    const hashes = async () => (await log.readJourney('cust-1')).map((s) => s.lookups?.reason);
    const [a, b, c] = await hashes();
    expect(a).toMatch(/^[\w-]{43}$/);
    expect([b, c === a]).toEqual([a, false]);
    await eraseCustomer1({ store, personalData });
    expect(await hashes()).toEqual([a, a, c]);
    expect((await log.readJourney('cust-1')).map((s) => (s.event.data as { reason: string }).reason)).toEqual([
      ERASED,
      ERASED,
      ERASED,
    ]);
    await log.close();
    await store.close();
  });

  it('reads "[unreadable]" for bytes that were altered (the tag fails), without stopping the read', async () => {
    const { bare, log, store } = await setUp();
    await log.append([contact]);
    const [stored] = await bare.readJourney('cust-1');
    const data = stored.event.data as Record<string, string>;
    // The same sealed value moved to another field does not open there: the field is bound in.
    const moved = { ...stored.event, id: 'e1-moved', data: { ...data, summary: data.reason } } as JourneyEvent;
    await bare.append([moved]);
    const read = (await log.readJourney('cust-1'))[1].event.data as Record<string, string>;
    expect(read).toMatchObject({ reason: UNREADABLE, summary: UNREADABLE });
    await log.close();
    await store.close();
  });

  it('rotates the master key without touching the log: every key re-wrapped, the old master key retired', async () => {
    const { dir, log, store, master } = await setUp();
    await log.append([contact]);
    const old = master.currentId();
    const rotation = await rotateMasterKey(store.keyStore(), master);
    expect(rotation).toMatchObject({ rewrapped: 2, retired: [old] });
    expect(rotation.masterKeyId).not.toBe(old);
    // A process started after the rotation opens the data with the new master key alone.
    const fresh = await PersonalData.open(store.keyStore(), new FileMasterKey(join(dir, 'master.key')));
    const bare = new SqliteJourneyLog({ file: join(dir, 'log.db') });
    expect((await fresh.log(bare).readJourney('cust-1'))[0].event.data).toEqual(contact.data);
    await bare.close();
    await log.close();
    await store.close();
  });
});
