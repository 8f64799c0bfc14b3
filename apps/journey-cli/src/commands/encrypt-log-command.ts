import { existsSync } from 'node:fs';
import { loadConfig, openLogAdapter, openPersonalData, openReadStore } from '#config';
import { SqliteJourneyLog } from '#journey-log';
import { readWholeLog } from '../analysis-log';
import { Progress } from '../progress';
import { UsageError } from '../usage-error';

export interface EncryptLogArgs {
  to?: string;
}

/**
 * `journey encrypt-log --to FILE`: copies the configured SQLite log, in log order, into a new SQLite log with every
 * personal field sealed under its customer's key (events sealed already are copied as they are), claims made anew with
 * keyed hashes. The positions stay the same (the n-th event is the n-th again). Stop the apps first; then point
 * `JOURNEY_LOG_FILE` at the new file and delete the old one.
 */
export async function encryptLogCommand(args: EncryptLogArgs, signal: AbortSignal): Promise<number> {
  if (!args.to) throw new UsageError('encrypt-log needs --to FILE (a new SQLite log file)');
  const config = loadConfig();
  if (config.journeyLog.kind !== 'sqlite')
    throw new UsageError(
      `encrypt-log copies a SQLite log; on ${config.journeyLog.kind}, copy into a new topic or stream prefix through ` +
        'the backbone (README: Personal data and erasure)',
    );
  if (!existsSync(config.journeyLog.file)) throw new UsageError(`no journey log at ${config.journeyLog.file}`);
  if (existsSync(args.to)) throw new UsageError(`${args.to} exists: encrypt-log writes a new file only`);
  const store = await openReadStore(config.readStore);
  const source = await openLogAdapter(config.journeyLog);
  const personalData = await openPersonalData(config.personalData, store);
  const target = personalData.log(new SqliteJourneyLog({ file: args.to, synchronous: config.journeyLog.synchronous }));
  try {
    const head = await source.head();
    const progress = new Progress('encrypt-log', head === null ? 0 : source.positions.distance(null, head));
    let copied = 0;
    for await (const page of readWholeLog(source, { pageSize: 1000, shouldStop: () => signal.aborted })) {
      await target.append(page.map((s) => s.event));
      copied += page.length;
      progress.add(page.length);
    }
    progress.finish();
    if (signal.aborted) {
      process.stderr.write(`encrypt-log: interrupted after ${copied} events; delete ${args.to} and run it again\n`);
      return 130;
    }
    process.stderr.write(`encrypt-log: ${copied} events copied to ${args.to}, personal fields sealed\n`);
    return 0;
  } finally {
    await target.close();
    await source.close();
    await store.close();
  }
}
