import { existsSync } from 'node:fs';
import { loadConfig, openLogAndStore, type BackboneConfig } from '#config';
import type { JourneyLog, StoredEvent } from '#journey-log';
import { UsageError } from './usage-error';

/**
 * The configured journey log (the same environment as the apps: JOURNEY_LOG, DATA_DIR, ...), personal data opened with
 * the read store's keys (closed with the log).
 * Reading commands refuse a SQLite log file that does not exist rather than create an empty one.
 */
export async function openLog(options: { mustExist: boolean }): Promise<{ log: JourneyLog; config: BackboneConfig }> {
  const config = loadConfig();
  if (options.mustExist && config.journeyLog.kind === 'sqlite' && !existsSync(config.journeyLog.file)) {
    throw new UsageError(
      `no journey log at ${config.journeyLog.file} (set DATA_DIR or JOURNEY_LOG_FILE, or run \`journey ` +
        `simulate\` first)`,
    );
  }
  return { log: (await openLogAndStore(config)).log, config };
}

/** Events up to `head`, for an ETA (null where the log cannot count them: EventStoreDB's distances are bytes). */
export function eventsUpTo(log: JourneyLog, head: string | null): number | null {
  return log.kind === 'eventstoredb' ? null : log.positions.distance(null, head);
}

/** Events on the log now, for an ETA. */
export async function eventsOnLog(log: JourneyLog): Promise<number | null> {
  return eventsUpTo(log, await log.head());
}

/**
 * Every event of the log in log order, page by page, up to the head at the start (so a pass
 * over a live log ends). `shouldStop` is asked between pages (Ctrl-C).
 */
export async function* readWholeLog(
  log: JourneyLog,
  options: { pageSize?: number; shouldStop?: () => boolean } = {},
): AsyncGenerator<StoredEvent[]> {
  const head = await log.head();
  if (head === null) return;
  let after: string | null = null;
  for (;;) {
    await yieldToEventLoop();
    if (options.shouldStop?.()) return;
    const page = await log.readAll(after, options.pageSize ?? 5000);
    if (page.length === 0) return;
    const within = page.filter((s) => log.positions.reached(head, s.position));
    if (within.length > 0) yield within;
    if (within.length < page.length) return;
    for (const stored of page) after = log.positions.merge(after, stored.position);
  }
}

/**
 * Lets signals (Ctrl-C) and timers in. A SQLite log answers synchronously, so a loop over it runs
 * on promise callbacks alone, which never give the event loop a turn.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
