import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteJourneyLog } from '#journey-log';
import type { JourneyEvent } from '#schemas';
import { ROOT, getJson, postJson, startBackbone, tempDataDir, waitFor, type BackboneProcess } from '#testing';
import { dropKafkaEnv, kafkaEnv } from '../e2e/kafka-env';

const CLI = join(ROOT, 'dist/apps/journey-cli/src/main.js');
const KAFKA_DATA = join(process.env.KAFKA_STATE_DIR ?? '/tmp/journey-backbone-kafka', 'data');

/** Personal data no other test writes: found anywhere, it is this test's. */
function uniqueValues(tag: string) {
  const u = `${tag}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  return {
    email: `zelda.${u}@example.org`,
    phone: `+49 170 ${String(Math.floor(1e6 + Math.random() * 8e6))}`,
    name: `Quuxley${u}`,
    reason: `the lamp from ${u} flickers`,
    promise: `call back about ${u}`,
  };
}

type Values = ReturnType<typeof uniqueValues>;

function journey(customer: string, v: Values) {
  const event = (n: number, type: string, time: string, data: object) => ({
    specversion: '1.0',
    id: `${customer}-${n}`,
    source: '/erasure-test',
    type,
    subject: customer,
    time,
    data,
  });
  return [
    event(1, 'order.placed', '2026-11-20T10:00:00Z', {
      orderId: `o-${customer}`,
      channel: 'web',
      currency: 'EUR',
      items: [{ sku: 'A', name: 'Lamp', qty: 1, unitPrice: 1000 }],
      totals: { subtotal: 1000, discount: 0, shipping: 0, fees: 0, tax: 0, total: 1000 },
      promisedDelivery: { from: '2026-11-22T00:00:00Z', to: '2026-11-24T00:00:00Z' },
    }),
    event(2, 'identity.linked', '2026-11-20T10:01:00Z', { kind: 'email', value: v.email }),
    event(3, 'identity.linked', '2026-11-20T10:02:00Z', { kind: 'phone', value: v.phone }),
    event(4, 'contact.opened', '2026-11-21T10:00:00Z', {
      caseId: `k-${customer}`,
      contactId: `ct-${customer}`,
      channel: 'chat',
      reason: `${v.reason}, my name is ${v.name}`,
      orderId: `o-${customer}`,
      tags: ['confusion'],
    }),
    event(5, 'promise.made', '2026-11-21T10:05:00Z', {
      caseId: `k-${customer}`,
      promiseId: `p-${customer}`,
      text: v.promise,
      dueAt: '2026-11-22T10:00:00Z',
      owner: 'team-a',
    }),
    // The same reason again, about no order: a repeat contact, judged by comparing the reasons.
    event(6, 'contact.opened', '2026-11-23T09:00:00Z', {
      caseId: `k2-${customer}`,
      contactId: `ct2-${customer}`,
      channel: 'phone',
      reason: `${v.reason}, my name is ${v.name}`,
      tags: [],
    }),
  ];
}

function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

/** Which of the values a file holds, as bytes. */
function valuesIn(files: string[], v: Values): string[] {
  const found: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const [name, value] of Object.entries(v))
      if (bytes.includes(Buffer.from(value))) found.push(`${name}@${file}`);
  }
  return found;
}

function sqliteFiles(dataDir: string): string[] {
  return ['journey-log.db', 'journey-log.db-wal'].map((f) => join(dataDir, f)).filter((f) => existsSync(f));
}

function kafkaSegments(topic: string): string[] {
  return readdirSync(KAFKA_DATA)
    .filter((dir) => dir.startsWith(`${topic}-`))
    .flatMap((dir) => readdirSync(join(KAFKA_DATA, dir)).map((f) => join(KAFKA_DATA, dir, f)));
}

const METRICS = ['metrics', '--from', '2026-11-01', '--to', '2026-11-30', '--format', 'json'];
const metricRows = (env: Record<string, string>) => {
  const run = cli(METRICS, env);
  expect(run.status).toBe(0);
  return (JSON.parse(run.stdout) as { rows: unknown[] }).rows;
};

describe.each([
  ['the embedded backbone (SQLite)', 'sqlite'],
  ['Kafka and PostgreSQL', 'kafka'],
])('erasure on %s', (_name, kind) => {
  const dataDir = tempDataDir('erasure-');
  const env: Record<string, string> =
    kind === 'kafka' ? { ...kafkaEnv('e2e_erasure', 3), KAFKA_LOG_DIRS: KAFKA_DATA } : {};
  const cliEnv = { ...env, DATA_DIR: dataDir };
  const values = uniqueValues(kind);
  const other = uniqueValues(`${kind}other`);
  const customer = `cust-erase-${kind}`;
  let app: BackboneProcess;
  let before: unknown[];

  beforeAll(async () => {
    app = await startBackbone({ dataDir, env });
    expect((await postJson(`${app.url}/v1/events`, journey(customer, values))).status).toBe(201);
    const last = await postJson(`${app.url}/v1/events`, journey('cust-kept', other));
    expect(last.status).toBe(201);
    const position = (last.body as { position: string }).position;
    await waitFor(
      async () => (await getJson(`${app.url}/v1/customers/cust-kept/journey?minPosition=${position}`)).status === 200,
      { what: 'the views' },
    );
    before = metricRows(cliEnv);
    // Each customer's second contact repeats the first (same reason): the count must survive the erasure of one.
    expect(before).toContainEqual(expect.objectContaining({ metric: 'repeat_contact_rate', numerator: 2 }));
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    if (kind === 'kafka') await dropKafkaEnv(env);
  });

  it('reads personal data back in clear, while the log holds none of it in clear', async () => {
    const view = await getJson(`${app.url}/v1/customers/${customer}/journey`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).toContain(values.reason);
    expect(JSON.stringify(view.body)).toContain(values.promise);
    const lookup = await getJson(`${app.url}/v1/identities/email/${encodeURIComponent(values.email.toUpperCase())}`);
    expect(lookup.body).toEqual({ customerId: customer });
    const files = kind === 'kafka' ? kafkaSegments(env.KAFKA_TOPIC) : sqliteFiles(dataDir);
    expect(files.length).toBeGreaterThan(0);
    // The bytes are there (the order id is not personal), the personal values are not.
    expect(files.some((f) => readFileSync(f).includes(Buffer.from(`o-${customer}`)))).toBe(true);
    expect(valuesIn(files, values)).toEqual([]);
    // The raw event names its key and holds sealed strings.
    const raw = cli(['tail', '--from-start', '--customer', customer, '--count', '5', '--json', '--include-pii'], {
      ...cliEnv,
    });
    expect(raw.status).toBe(0);
    expect(raw.stdout).toContain(values.email);
  });

  it('erases: 202 (the same when asked again), then 410 on every read, 404 on look-ups, SSE ended', async () => {
    const stream = await fetch(`${app.url}/v1/customers/${customer}/journey/stream`);
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = '';
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    })();
    await waitFor(async () => text.includes('event: journey'), { what: 'the first view' });

    // Only the backbone names keys and erases: a producer doing either is refused, naming the field.
    const forged = { ...journey(customer, values)[3], id: 'forged-key', personaldatakey: 'pdk-mine' };
    expect(await postJson(`${app.url}/v1/events`, forged)).toMatchObject({
      status: 400,
      body: { errors: [expect.objectContaining({ path: 'personaldatakey' })] },
    });
    const selfErased = {
      ...journey(customer, values)[0],
      id: 'forged-erasure',
      type: 'customer.erased',
      data: { reason: 'x', requestedBy: 'me' },
    };
    expect(await postJson(`${app.url}/v1/events`, selfErased)).toMatchObject({
      status: 400,
      body: { errors: [expect.objectContaining({ path: 'type' })] },
    });
    expect((await postJson(`${app.url}/v1/customers/${customer}/erasure`, {})).status).toBe(400);
    expect((await postJson(`${app.url}/v1/customers/nobody-${kind}/erasure`, { reason: 'x' })).status).toBe(404);
    const erased = await postJson(`${app.url}/v1/customers/${customer}/erasure`, { reason: 'GDPR art. 17, #4711' });
    expect(erased.status).toBe(202);
    const answer = erased.body as { customerId: string; erasedAt: string; position: string };
    expect(answer).toEqual({ customerId: customer, erasedAt: expect.any(String), position: expect.any(String) });
    const again = await postJson(`${app.url}/v1/customers/${customer}/erasure`, { reason: 'asked twice' });
    expect(again).toMatchObject({ status: 202, body: answer });
    await waitFor(async () => text.includes('event: erased'), { what: 'the stream to say erased' });
    await reading;

    for (const path of [
      `/v1/customers/${customer}/journey`,
      `/v1/customers/${customer}/journey?asOf=2026-11-21T12:00:00Z`,
      `/v1/orders/o-${customer}`,
      `/v1/cases/k-${customer}`,
      `/v1/customers/${customer}/journey/stream`,
    ])
      expect({ path, ...(await getJson(`${app.url}${path}`)) }).toMatchObject({
        path,
        status: 410,
        body: { code: 'erased' },
      });
    for (const [kindOf, value] of [
      ['email', values.email],
      ['phone', values.phone],
    ])
      expect((await getJson(`${app.url}/v1/identities/${kindOf}/${encodeURIComponent(value)}`)).status).toBe(404);
    // The identities were given up before the keys went: the same person may link them again, to a new account.
    const relink = {
      ...journey(`${customer}-new`, values)[1],
      data: { kind: 'email', value: values.email.toUpperCase() },
    };
    expect((await postJson(`${app.url}/v1/events`, relink)).status).toBe(201);
    await waitFor(
      async () => (await getJson(`${app.url}/v1/identities/email/${encodeURIComponent(values.email)}`)).status === 200,
      { what: 'the new link' },
    );
    expect((await getJson(`${app.url}/v1/identities/email/${encodeURIComponent(values.email)}`)).body).toEqual({
      customerId: `${customer}-new`,
    });
    // The journey takes no more events; the other customer reads as before.
    const late = { ...journey(customer, values)[3], id: 'late-contact' };
    expect(await postJson(`${app.url}/v1/events`, late)).toMatchObject({ status: 410, body: { code: 'erased' } });
    expect(JSON.stringify((await getJson(`${app.url}/v1/customers/cust-kept/journey`)).body)).toContain(other.reason);
  });

  it('replays show "[erased]" where the personal data was, the facts remain, and the metrics count the same', () => {
    const replay = cli(['replay', '--customer', customer, '--json', '--include-pii'], cliEnv);
    expect(replay.status).toBe(0);
    for (const value of Object.values(values)) expect(replay.stdout).not.toContain(value);
    const list = (JSON.parse(replay.stdout) as Array<{ event: { type: string; data: Record<string, unknown> } }>).map(
      (s) => s.event,
    );
    expect(list.map((e) => e.type)).toEqual([
      'order.placed',
      'identity.linked',
      'identity.linked',
      'contact.opened',
      'promise.made',
      'contact.opened',
      'identity.unlinked',
      'identity.unlinked',
      'customer.erased',
    ]);
    expect(list[1].data.value).toBe('[erased]');
    expect(list[3].data).toMatchObject({ reason: '[erased]', tags: ['confusion'], caseId: `k-${customer}` });
    expect(list[4].data).toMatchObject({ text: '[erased]', owner: 'team-a' });
    expect(metricRows(cliEnv)).toEqual(before);
  });

  it('proves it with journey verify-erasure (exit 0), and names what a copy that kept the key still holds', () => {
    const args = ['verify-erasure', '--customer', customer, ...Object.values(values).flatMap((v) => ['--value', v])];
    const proof = cli(args, cliEnv);
    expect({ status: proof.status, out: proof.stdout }).toMatchObject({ status: 0 });
    expect(proof.stdout).not.toMatch(/FAILED/);
    if (kind === 'kafka') expect(proof.stdout).toMatch(/local files: [1-9]\d* file\(s\) scanned/);
    // Another customer's values were never erased: the proof fails for them, naming where they are.
    const kept = cli(['verify-erasure', '--customer', 'cust-kept', '--value', other.reason], cliEnv);
    expect(kept.status).toBe(1);
    expect(kept.stdout).toMatch(/FAILED {2}erasure recorded/);
    expect(kept.stdout).toMatch(/FAILED {2}keys destroyed: key \S+ is still held/);
    expect(kept.stdout).toMatch(
      /FAILED {2}value absent from the read store: found in documents journey-view\/cust-kept/,
    );
  });
});

describe('erasure on the embedded backbone, beyond the API', () => {
  const dataDir = tempDataDir('erasure-cli-');
  const env = { DATA_DIR: dataDir };
  const customers = Array.from({ length: 6 }, (_, i) => `cust-kill-${i}`);
  const values = new Map(customers.map((c) => [c, uniqueValues(c.replace(/-/g, ''))]));

  beforeAll(async () => {
    const app = await startBackbone({ dataDir });
    for (const c of customers)
      expect((await postJson(`${app.url}/v1/events`, journey(c, values.get(c)!))).status).toBe(201);
    await waitFor(
      async () => (await getJson(`${app.url}/v1/customers/${customers[customers.length - 1]}/journey`)).status === 200,
      { what: 'the views' },
    );
    // A copy taken before any erasure: its keys were kept.
    await app.stop();
    cpSync(dataDir, `${dataDir}-copy`, { recursive: true });
  }, 60_000);

  /** A customer's state in the files: key destroyed? view dropped? (one without the other is what must never be.) */
  function state(customer: string): { keyGone: boolean; viewGone: boolean } {
    const db = new Database(join(dataDir, 'read-store.db'), { readonly: true, fileMustExist: true });
    try {
      const key = db.prepare('SELECT wrapped FROM personal_data_keys WHERE subject = ?').get(customer) as
        { wrapped: string | null } | undefined;
      const view = db
        .prepare("SELECT count(*) AS n FROM documents WHERE projection = 'journey-view' AND id = ?")
        .get(customer) as { n: number };
      return { keyGone: key !== undefined && key.wrapped === null, viewGone: view.n === 0 };
    } finally {
      db.close();
    }
  }

  it('a SIGKILL during journey forget leaves all or nothing erased, and a retry completes it', async () => {
    // How long the command takes to open everything and answer (for a customer it does not know): kills land around it.
    const started = Date.now();
    expect(cli(['forget', '--customer', 'cust-unknown', '--reason', 'art. 17'], env).status).toBe(1);
    const took = Date.now() - started;
    const outcomes: string[] = [];
    for (const [i, customer] of customers.entries()) {
      const child = spawn(process.execPath, [CLI, 'forget', '--customer', customer, '--reason', 'art. 17'], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // From before the command has opened anything to after it is done: the kill lands at every stage.
      await new Promise((resolve) => setTimeout(resolve, took * (0.5 + (i * 1.5) / customers.length)));
      child.kill('SIGKILL');
      await exited;
      const after = state(customer);
      outcomes.push(after.keyGone ? 'erased' : 'untouched');
      expect({ customer, consistent: after.keyGone === after.viewGone }).toEqual({ customer, consistent: true });
      const retry = cli(['forget', '--customer', customer, '--reason', 'art. 17'], env);
      expect({ customer, status: retry.status, err: retry.stderr }).toMatchObject({ status: 0 });
      expect(state(customer)).toEqual({ keyGone: true, viewGone: true });
    }
    console.log(`forget (${took} ms to answer) killed: ${outcomes.join(', ')}`);
    // The erasure event is on the log once per customer, however many times it was asked for.
    const tail = cli(['tail', '--from-start', '--type', 'customer.erased', '--count', '6', '--json'], env);
    expect(tail.stdout.trim().split('\n')).toHaveLength(customers.length);
  }, 90_000);

  it('a rebuild of the views after the erasure does not bring the customer back', async () => {
    expect(cli(['rebuild', 'journey-view'], env).status).toBe(0);
    expect(cli(['rebuild', 'identity-index'], env).status).toBe(0);
    for (const customer of customers) expect(state(customer).viewGone).toBe(true);
    const app = await startBackbone({ dataDir });
    try {
      const c = customers[0];
      expect((await getJson(`${app.url}/v1/customers/${c}/journey`)).status).toBe(410);
      const email = values.get(c)!.email;
      expect((await getJson(`${app.url}/v1/identities/email/${encodeURIComponent(email)}`)).status).toBe(404);
    } finally {
      await app.stop();
    }
    const v = values.get(customers[0])!;
    const proof = cli(['verify-erasure', '--customer', customers[0], '--value', v.email, '--value', v.reason], env);
    expect({ status: proof.status, out: proof.stdout }).toMatchObject({ status: 0 });
  });

  it('verify-erasure exits 1 on a copy where the key was kept', () => {
    const v = values.get(customers[0])!;
    const proof = cli(['verify-erasure', '--customer', customers[0], '--value', v.reason], {
      DATA_DIR: `${dataDir}-copy`,
    });
    expect(proof.status).toBe(1);
    expect(proof.stdout).toMatch(/FAILED {2}keys destroyed/);
    expect(proof.stdout).toMatch(/FAILED {2}value absent from the local files: found in \S+read-store\.db/);
  });
});

describe('a log written before encryption', () => {
  const dataDir = tempDataDir('erasure-legacy-');
  const customer = 'cust-legacy';
  const values = uniqueValues('legacy');

  beforeAll(async () => {
    // Written by the bare adapter, as the backbone did before personal data was sealed.
    const log = new SqliteJourneyLog({ file: join(dataDir, 'journey-log.db') });
    await log.append(journey(customer, values) as JourneyEvent[]);
    await log.close();
  });

  const view = async (env: Record<string, string>) => {
    const app = await startBackbone({ dataDir, env });
    try {
      let read = await getJson(`${app.url}/v1/customers/${customer}/journey`);
      await waitFor(async () => (read = await getJson(`${app.url}/v1/customers/${customer}/journey`)).status === 200, {
        what: 'the view',
      });
      const body = read.body as Record<string, unknown>;
      return { ...body, asOf: undefined };
    } finally {
      await app.stop();
    }
  };

  it('stays readable, verify-erasure names its fields in clear, and encrypt-log copies it sealed', async () => {
    const before = await view({});
    expect(JSON.stringify(before)).toContain(values.reason);
    const check = cli(['verify-erasure', '--customer', customer], { DATA_DIR: dataDir });
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(
      /FAILED {2}no personal field in clear in the log: in clear .*cust-legacy-2 data\.value/,
    );

    const sealed = join(dataDir, 'sealed-log.db');
    const copy = cli(['encrypt-log', '--to', sealed], { DATA_DIR: dataDir });
    expect({ status: copy.status, err: copy.stderr }).toMatchObject({ status: 0 });
    expect(copy.stderr).toMatch(/6 events copied/);
    expect(
      valuesIn(
        [sealed, `${sealed}-wal`].filter((f) => existsSync(f)),
        values,
      ),
    ).toEqual([]);
    expect(cli(['encrypt-log', '--to', sealed], { DATA_DIR: dataDir }).status).toBe(2);

    // The same view rebuilt from the sealed copy (the keys are in the read store, which stays).
    const env = { JOURNEY_LOG_FILE: sealed };
    expect(cli(['rebuild', 'journey-view'], { DATA_DIR: dataDir, ...env }).status).toBe(0);
    expect(await view(env)).toEqual(before);
    const recheck = cli(['verify-erasure', '--customer', customer], { DATA_DIR: dataDir, ...env });
    expect(recheck.stdout).toMatch(/ok {6}no personal field in clear in the log/);
  }, 60_000);
});
