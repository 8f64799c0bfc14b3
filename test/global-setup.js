/**
 * Starts what the integration tests need and is not running: PostgreSQL (the machine's own
 * cluster, when DATABASE_URL is not given) and a Kafka broker (scripts/kafka.sh, when
 * KAFKA_BROKERS is not given). Whatever this starts, global-teardown stops.
 */
const { execSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { Client } = require('pg');

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function startKafka() {
  if (process.env.KAFKA_BROKERS) return;
  const root = require('node:path').resolve(__dirname, '..');
  const script = `${root}/scripts/kafka.sh`;
  let alreadyUp;
  try {
    execSync(`${script} status`, { stdio: 'ignore' });
    alreadyUp = true;
  } catch {
    alreadyUp = false;
  }
  if (!alreadyUp) {
    console.log('\nstarting a Kafka broker for the tests (scripts/kafka.sh up)');
    execSync(`${script} up`, { stdio: 'inherit' });
    globalThis.__startedKafka = script;
  }
  process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? 19092}`;
}

async function startPostgres() {
  const url = process.env.DATABASE_URL ?? DEFAULT_URL;
  if (await reachable(url)) return;
  if (process.env.DATABASE_URL) throw new Error(`DATABASE_URL ${url} is not reachable`);
  let versions;
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    throw new Error(`PostgreSQL is not reachable at ${url}, and no local cluster is installed; set DATABASE_URL`);
  }
  console.log(`\nstarting the local PostgreSQL cluster ${versions[0]}/main for the tests`);
  execSync(`pg_ctlcluster --skip-systemctl-redirect ${versions[0]} main start`, { stdio: 'inherit' });
  for (let i = 0; i < 60; i++) {
    if (await reachable(url)) {
      globalThis.__startedPostgres = versions[0];
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`PostgreSQL did not come up at ${url}`);
}

/**
 * Headless Chromium for the browser tests: CHROMIUM_PATH, else Debian's package, installed here when missing and this
 * machine can (root with apt-get); otherwise the browser test fails saying how to get it.
 */
function ensureChromium() {
  const { existsSync } = require('node:fs');
  if (process.env.CHROMIUM_PATH || existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return;
  console.log("\ninstalling Debian's chromium for the browser tests (apt-get install chromium)");
  try {
    execSync('apt-get install -y --no-install-recommends chromium', {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
    });
  } catch (error) {
    console.log(`chromium could not be installed: ${error.message}`);
  }
}

module.exports = async function globalSetup() {
  await startPostgres();
  startKafka();
  ensureChromium();
};
