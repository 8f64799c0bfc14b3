import { EventIngestion } from '#ingestion';
import { POLICY_SUBJECT_PREFIX, type JourneyEvent } from '#schemas';
import { policyVersionPublishedBy } from '#journey-domain';
import { DEFAULT_DEFECT_RATES, emptyCounts, simulatedJourneys, type DefectRates } from '#journey-simulator';
import { openLog, yieldToEventLoop } from '../analysis-log';
import { optionalIsoTime, positiveInt } from '../cli-values';
import { Progress } from '../progress';
import { UsageError } from '../usage-error';

/** `--payment-failure-rate` for `paymentFailure`: every defect rate is a flag. */
export const RATE_FLAGS: Record<string, keyof DefectRates> = Object.fromEntries(
  (Object.keys(DEFAULT_DEFECT_RATES) as Array<keyof DefectRates>).map((key) => [
    `${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-rate`,
    key,
  ]),
);

export interface SimulateArgs {
  customers?: string;
  seed?: string;
  start?: string;
  days?: string;
  prefix?: string;
  rates: Record<string, string | undefined>;
}

/**
 * `journey simulate`: realistic journeys written through the producers' ingestion path (the
 * same validation and domain rules), in batches; each batch is atomic, so an interrupted run
 * leaves whole batches only.
 */
export async function simulateCommand(args: SimulateArgs, signal: AbortSignal): Promise<number> {
  const customers = positiveInt('customers', args.customers);
  const seed = positiveInt('seed', args.seed, 1);
  const days = positiveInt('days', args.days, 90);
  const start = optionalIsoTime('start', args.start);
  const rates: Partial<DefectRates> = {};
  for (const [flag, key] of Object.entries(RATE_FLAGS)) {
    const value = args.rates[flag];
    if (value === undefined) continue;
    const rate = Number(value);
    if (value.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1)
      throw new UsageError(`--${flag} must be a number from 0 to 1, not "${value}"`);
    rates[key] = rate;
  }
  const prefix = args.prefix ?? `sim${seed}`;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix)) throw new UsageError('--prefix must be 1 to 40 letters, digits, - or _');

  const { log, config } = await openLog({ mustExist: false });
  const ingestion = new EventIngestion(log, {
    maxBatchEvents: config.http.maxBatchEvents,
    eventTime: config.eventTime,
  });
  const counts = emptyCounts();
  const progress = new Progress('simulate');
  let written = 0;
  try {
    let batch: JourneyEvent[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await ingestion.ingest(batch, { owner: null });
      written += batch.length;
      progress.add(batch.length);
      // Events per journey so far, times the journeys asked for.
      if (counts.checkouts > 0) progress.setTotal(Math.round((counts.events / counts.checkouts) * customers));
      batch = [];
    };
    // Policies already on the log (the worked example's, another run's) may govern the simulated orders.
    const existingPolicies = (await log.readJourneysByPrefix(POLICY_SUBJECT_PREFIX)).flatMap(
      (s) => policyVersionPublishedBy(s.event, s.sequence) ?? [],
    );
    const options = { customers, seed, days, start, customerPrefix: prefix, rates, existingPolicies };
    for (const event of simulatedJourneys(options, counts)) {
      batch.push(event);
      if (batch.length === config.http.maxBatchEvents) {
        await flush();
        await yieldToEventLoop();
        if (signal.aborted) break;
      }
    }
    if (!signal.aborted) await flush();
  } finally {
    progress.finish();
    await log.close();
  }
  if (signal.aborted) {
    process.stderr.write(
      `simulate: interrupted after ${written.toLocaleString('en-US')} events (whole batches only)\n`,
    );
    return 130;
  }
  process.stdout.write(
    JSON.stringify(
      { customers, seed, prefix, rates: { ...DEFAULT_DEFECT_RATES, ...rates }, events: written, counts },
      null,
      2,
    ) + '\n',
  );
  return 0;
}
