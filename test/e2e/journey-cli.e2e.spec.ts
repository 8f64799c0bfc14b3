import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJourneyLog } from '#journey-log';
import { PROJECTIONS } from '#journey-projections';
import { SqliteReadStore } from '#read-store';
import { ROOT, getJson, postJson, readModelHash, startBackbone, tempDataDir, waitFor } from '#testing';
import { workedJourneySteps } from './worked-journey';

const CLI = join(ROOT, 'dist/apps/journey-cli/src/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The `journey` command as a user runs it: its own process, output to pipes. */
function journey(dataDir: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('journey CLI on a simulated log', () => {
  const dir = tempDataDir('journey-cli-');
  let simulated: { events: number; counts: Record<string, number> };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const run = await journey(dir, [
      'simulate',
      '--customers',
      '400',
      '--seed',
      '9',
      '--contradiction-rate',
      '0.3',
      '--handoff-without-context-rate',
      '0.5',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    simulated = JSON.parse(run.stdout);
  }, 60_000);

  it('simulate writes through the ingestion path and reports what it put in', () => {
    expect(simulated.events).toBe(simulated.counts.events);
    expect(simulated.counts.checkouts).toBe(400);
    expect(simulated.counts.messages).toBeGreaterThan(50);
  });

  it('metrics --format json finds exactly what simulate put in, and stays quiet on stderr in a pipe', async () => {
    const run = await journey(dir, ['metrics', '--from', '2025-01-01', '--to', '2027-01-01', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout);
    const row = (metric: string) =>
      result.rows.find((r: { metric: string; group: string }) => r.metric === metric && r.group === 'all');
    expect(result.events).toBe(simulated.events);
    expect(row('truth_drift_rate')).toMatchObject({
      numerator: simulated.counts.contradictions,
      denominator: simulated.counts.messages,
    });
    expect(row('repeated_story_rate')).toMatchObject({
      numerator: simulated.counts.handoffsWithoutContext,
      denominator: simulated.counts.handoffs,
    });
    expect(row('promise_kept_rate')).toMatchObject({
      numerator: simulated.counts.promisesKeptOnTime,
      denominator: simulated.counts.promises,
    });
  });

  it('metrics --by channel --format csv --out writes the file whole', async () => {
    const out = join(dir, 'metrics.csv');
    const run = await journey(dir, [
      'metrics',
      '--from',
      '2025-01-01',
      '--to',
      '2027-01-01',
      '--by',
      'channel',
      '--format',
      'csv',
      '--out',
      out,
    ]);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('metric,group,value,numerator,denominator');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[1]))).toEqual(
      new Set(['web', 'email', 'chat', 'phone', 'store']),
    );
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it.each([
    [['metrics', '--to', '2027-01-01'], /--from is required/],
    [['metrics', '--from', 'soon', '--to', '2027-01-01'], /--from "soon" is not an ISO-8601/],
    [
      ['metrics', '--from', '2026-01-01', '--to', '2027-01-01', '--by', 'planet'],
      /--by must be one of channel, reason, week/,
    ],
    [['metrics', '--from', '2026-01-01', '--to', '2027-01-01', '--window', '7w'], /--window: window "7w"/],
    [
      ['simulate', '--customers', '10', '--contradiction-rate', '1.5'],
      /--contradiction-rate must be a number from 0 to 1/,
    ],
    [['simulate', '--customers', 'many'], /--customers must be a whole number/],
    [['replay', '--customer', 'a', '--order', 'b'], /exactly one of --customer, --order, --case/],
    [['replay', '--colour', 'red'], /Unknown option '--colour'/],
    [['rebuild', 'everything'], /name a projection to rebuild: .*journey-view/],
    [['teleport'], /unknown command "teleport"/],
  ])('given %j, exits 2 saying what is wrong, and changes nothing', async (args, message) => {
    const before = simulated.events;
    const run = await journey(dir, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    const log = new SqliteJourneyLog({ file: join(dir, 'journey-log.db') });
    expect(await log.head()).toBe(`s${before}`);
    await log.close();
  });

  it('refuses to analyse a log that does not exist rather than create one', async () => {
    const empty = tempDataDir('journey-cli-empty-');
    const run = await journey(empty, ['metrics', '--from', '2026-01-01', '--to', '2027-01-01']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no journey log at .*journey-log\.db/);
    expect(existsSync(join(empty, 'journey-log.db'))).toBe(false);
    rmSync(empty, { recursive: true, force: true });
  });

  it('tail --from-start --count prints that many events, one JSON line each, with personal data masked', async () => {
    const run = await journey(dir, ['tail', '--from-start', '--count', '40', '--json', '--type', 'identity.linked']);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.event.type === 'identity.linked' && l.event.data.value === '[email]')).toBe(true);
  });

  it('Ctrl-C during simulate leaves whole batches only, and says how many events it wrote', async () => {
    const other = tempDataDir('journey-cli-int-');
    const child = spawn(process.execPath, [CLI, 'simulate', '--customers', '200000', '--seed', '3'], {
      env: { ...process.env, DATA_DIR: other },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const log = () => new SqliteJourneyLog({ file: join(other, 'journey-log.db') });
    // Interrupt once a few batches are in (the whole run would take far longer).
    await waitFor(
      async () => {
        if (!existsSync(join(other, 'journey-log.db'))) return false;
        const probe = log();
        const head = await probe.head();
        await probe.close();
        return head !== null && Number(head.slice(1)) >= 2000;
      },
      { what: 'a few batches written', timeoutMs: 30_000, intervalMs: 50 },
    );
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    const written = Number(/interrupted after ([\d,]+) events/.exec(stderr)![1].replace(/,/g, ''));
    const final = log();
    expect(await final.head()).toBe(`s${written}`);
    await final.close();
    expect(written % 500).toBe(0);
    expect(written).toBeLessThan(300_000);
    rmSync(other, { recursive: true, force: true });
  }, 60_000);

  // `script` (util-linux) runs the command on a pseudo-terminal, as a user at a shell would.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  (hasScript ? it : it.skip)(
    `shows progress (events, rate) on a ` +
      `terminal${hasScript ? '' : ' -- NOT RUN: no `script` command here to make a pseudo-terminal'}`,
    () => {
      const run = spawnSync(
        'script',
        ['-qec', `${process.execPath} ${CLI} metrics --from 2025-01-01 --to 2027-01-01`, '/dev/null'],
        { env: { ...process.env, DATA_DIR: dir }, encoding: 'utf8' },
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/metrics: [\d,]+ events read in [\d.]+ s/);
    },
  );
});

describe('journey replay against the API', () => {
  const dir = tempDataDir('journey-cli-api-');
  const C = 'cust-1001';
  const T = '2026-03-06T00:00:00Z';
  let apiView: unknown;
  let apiOrder: unknown;
  let before: { hash: string; documents: number };

  beforeAll(async () => {
    const app = await startBackbone({ dataDir: dir });
    let last = '';
    for (const step of workedJourneySteps()) last = (await postJson(`${app.url}/v1/events`, step.body)).body.position;
    await getJson(`${app.url}/v1/customers/${C}/journey?minPosition=${last}`);
    apiView = (await getJson(`${app.url}/v1/customers/${C}/journey?asOf=${T}`)).body;
    const order = (apiView as { orders: Array<{ orderId: string }> }).orders[0].orderId;
    apiOrder = (await getJson(`${app.url}/v1/orders/${order}?asOf=${T}`)).body;
    await app.stop();
    const store = new SqliteReadStore({ file: join(dir, 'read-store.db') });
    before = await readModelHash(store, PROJECTIONS);
    await store.close();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replay --as-of gives the view GET ?asOf= gives, for the customer and for an order', async () => {
    const view = await journey(dir, ['replay', '--customer', C, '--as-of', T, '--json', '--include-pii']);
    expect(view.code).toBe(0);
    expect(JSON.parse(view.stdout)).toEqual(apiView);
    const orderId = (apiOrder as { orderId: string }).orderId;
    const order = await journey(dir, ['replay', '--order', orderId, '--as-of', T, '--json', '--include-pii']);
    expect(JSON.parse(order.stdout)).toEqual(apiOrder);
  });

  it('replay masks personal data unless --include-pii, and prints a timeline by default', async () => {
    const masked = await journey(dir, ['replay', '--customer', C, '--json']);
    expect(masked.stdout).not.toContain('ada@example.com');
    expect(masked.stdout).toContain('[email]');
    const plain = await journey(dir, ['replay', '--customer', C, '--json', '--include-pii']);
    expect(plain.stdout).toContain('ada@example.com');
    const timeline = await journey(dir, ['replay', '--customer', C]);
    expect(timeline.stdout).toMatch(/order\.placed\s+Order placed on web/);
    expect(timeline.stdout).toMatch(/\(late\)/);
  });

  it(
    'rebuild is refused while the backbone runs on the same read store: exit 4, says why, changes ' + 'nothing',
    async () => {
      const app = await startBackbone({ dataDir: dir });
      try {
        const run = await journey(dir, ['rebuild', 'journey-view']);
        expect(run.code).toBe(4);
        expect(run.stderr).toMatch(
          /journey rebuild: projectors are running on the read store .*read-store\.db: stop them first/,
        );
      } finally {
        await app.stop();
      }
      const store = new SqliteReadStore({ file: join(dir, 'read-store.db') });
      expect(await readModelHash(store, PROJECTIONS)).toEqual(before);
      await store.close();
    },
  );

  it('the backbone does not start while a rebuild holds the read store, and says why', async () => {
    const store = new SqliteReadStore({ file: join(dir, 'read-store.db') });
    const rebuild = await store.lockProjections('exclusive');
    try {
      const started = await startBackbone({ dataDir: dir }).catch((error: Error) => error);
      expect(started).toBeInstanceOf(Error);
      expect((started as Error).message).toMatch(
        /exited with 3 before listening[\s\S]*a rebuild is running on the read store/,
      );
    } finally {
      await rebuild.release();
      await store.close();
    }
  });

  it('rebuild gives back the same read models, and leaves the live ones otherwise untouched', async () => {
    const run = await journey(dir, ['rebuild', 'journey-view']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const store = new SqliteReadStore({ file: join(dir, 'read-store.db') });
    expect(await readModelHash(store, PROJECTIONS)).toEqual(before);
    await store.close();
  });
});

describe('journey simulate beside other data', () => {
  const dir = tempDataDir('journey-cli-beside-');
  beforeAll(async () => {
    const app = await startBackbone({ dataDir: dir });
    for (const step of workedJourneySteps())
      expect((await postJson(`${app.url}/v1/events`, step.body)).status).toBe(201);
    await app.stop();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('simulate works on a log that holds the worked example (its policies may govern simulated orders)', async () => {
    const run = await journey(dir, ['simulate', '--customers', '60', '--seed', '3', '--return-rejected-rate', '0.5']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout).counts.returns).toBeGreaterThan(0);
  });

  it('a refusal prints the details the HTTP API gives: which event, which field, why', async () => {
    // The same customers and orders as the run before (prefix sim3), with other content: the domain rules refuse it.
    const run = await journey(dir, ['simulate', '--customers', '5', '--seed', '4', '--prefix', 'sim3']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^journey simulate: domain rules broken; nothing was appended\n/);
    expect(run.stderr).toMatch(/\n {2}event \d+, data\.orderId: order sim3-o\d+ was already placed\n/);
  });
});
