import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { loadConfig, openLogAdapter, openReadStore, type BackboneConfig } from '#config';
import { erasedDocuments } from '#journey-read';
import { byteForms, clearPersonalFields, fileHolds, kafkaTopicFiles, sqliteFiles } from '#personal-data';
import { UsageError } from '../usage-error';

export interface VerifyErasureArgs {
  customer?: string;
  values: string[];
  json: boolean;
}

interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/** Moves what the WAL holds into the database and empties it, so the files hold only live pages. */
function checkpoint(file: string): void {
  if (!existsSync(file)) return;
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** The local files that hold the log's and the stores' bytes (SQLite files, the local broker's segments). */
function localFiles(config: BackboneConfig): string[] {
  const files: string[] = [];
  if (config.journeyLog.kind === 'sqlite') {
    checkpoint(config.journeyLog.file);
    files.push(...sqliteFiles(config.journeyLog.file));
  }
  if (config.readStore.kind === 'sqlite') {
    checkpoint(config.readStore.file);
    files.push(...sqliteFiles(config.readStore.file));
  }
  if (config.journeyLog.kind === 'kafka')
    files.push(...kafkaTopicFiles(config.personalData.kafkaLogDirs, config.journeyLog.topic));
  return files;
}

/**
 * `journey verify-erasure --customer ID [--value TEXT ...] [--json]`: the proof of an erasure. Checks that it is
 * recorded and the customer's keys are destroyed (key store), that their documents are gone (read store), that the log
 * holds
 * none of their personal fields in clear (events written before encryption), and that none of the given values is in
 * the read store, in the log's events of the customer, or in the raw bytes of the local files (SQLite databases with
 * their WAL, the local Kafka broker's segments of the topic: KAFKA_LOG_DIRS). Exit 0 when all hold, 1 naming what
 * does not.
 */
export async function verifyErasureCommand(args: VerifyErasureArgs): Promise<number> {
  if (!args.customer) throw new UsageError('verify-erasure needs --customer ID');
  if (args.values.some((v) => v.length === 0)) throw new UsageError('--value takes a non-empty text');
  const customerId = args.customer;
  const config = loadConfig();
  const checks: Check[] = [];
  const store = await openReadStore(config.readStore);
  try {
    const keyStore = store.keyStore();
    const erasure = await keyStore.erasure(customerId);
    checks.push({
      what: 'erasure recorded',
      ok: erasure !== undefined,
      detail: erasure ? `at ${erasure.erasedAt}` : 'no erasure of this customer in the key store',
    });
    const keys = [...(await keyStore.keysOfSubjects([customerId])).values()];
    const kept = keys.filter((k) => k.wrapped !== null);
    checks.push({
      what: 'keys destroyed',
      ok: kept.length === 0,
      detail: kept.length === 0 ? `${keys.length} key(s), none usable` : `key ${kept[0].keyId} is still held`,
    });
    const remaining = await keyStore.remainingDocuments(customerId, erasedDocuments(customerId));
    checks.push({
      what: 'documents dropped',
      ok: remaining.length === 0,
      detail: remaining.length === 0 ? 'none left' : `still held: ${remaining.join(', ')}`,
    });
    for (const value of args.values) {
      const places = (await Promise.all(byteForms(value).map((f) => keyStore.findText(f.toString('utf8'))))).flat();
      checks.push({
        what: 'value absent from the read store',
        ok: places.length === 0,
        detail: places.length === 0 ? 'not found' : `found in ${[...new Set(places)].join(', ')}`,
      });
    }
  } finally {
    await store.close();
  }
  const log = await openLogAdapter(config.journeyLog);
  try {
    const events = await log.readJourney(customerId);
    const clear = events.flatMap((s) => clearPersonalFields(s.event).map((path) => `${s.event.id} data.${path}`));
    checks.push({
      what: 'no personal field in clear in the log',
      ok: clear.length === 0,
      detail:
        clear.length === 0
          ? `${events.length} event(s) checked`
          : `in clear (written before encryption; see the README on migrating): ${clear.slice(0, 5).join(', ')}` +
            (clear.length > 5 ? ` and ${clear.length - 5} more` : ''),
    });
    const raw = events.map((s) => JSON.stringify(s.event));
    for (const value of args.values) {
      const forms = byteForms(value).map((f) => f.toString('utf8'));
      const found = raw.filter((json) => forms.some((form) => json.includes(form))).length;
      checks.push({
        what: "value absent from the customer's events",
        ok: found === 0,
        detail: found === 0 ? 'not found' : `found in ${found} event(s)`,
      });
    }
  } finally {
    await log.close();
  }
  if (args.values.length > 0) {
    const files = localFiles(config);
    for (const value of args.values) {
      const holding = files.filter((file) => fileHolds(file, byteForms(value)));
      checks.push({
        what: 'value absent from the local files',
        ok: holding.length === 0,
        detail: holding.length === 0 ? `${files.length} file(s) scanned` : `found in ${holding.join(', ')}`,
      });
    }
  }
  const ok = checks.every((c) => c.ok);
  if (args.json) process.stdout.write(JSON.stringify({ customerId, erased: ok, checks }, null, 2) + '\n');
  else for (const c of checks) process.stdout.write(`${c.ok ? 'ok      ' : 'FAILED  '}${c.what}: ${c.detail}\n`);
  return ok ? 0 : 1;
}
