import { loadConfig, openReadStore } from '#config';
import { reactorStoreNames } from '#projection-runtime';
import type { ParkedEvent, ReadStore } from '#read-store';
import { waitFor } from '#wait-for';
import { UsageError } from '../usage-error';

export interface ParkedArgs {
  action?: string;
  consumer?: string;
  events: string[];
  json: boolean;
  wait: boolean;
}

const REACTOR_PREFIX = 'reactor:';

/** How long `replay --wait` waits for the running reactor to take the replays. */
const WAIT_MS = 120_000;

/**
 * `journey parked list [--consumer NAME] [--json]`: the events parked by projections, reactors and webhook deliveries
 * (and records of the log that are not journey events), with their errors.
 * `journey parked replay --consumer NAME [--event ID ...] [--wait]`: hands a reactor's parked events (all, or those
 * named) back to it: the running reactor reads each again from the log and handles it; done, it leaves the list.
 */
export async function parkedCommand(args: ParkedArgs): Promise<number> {
  if (args.action !== 'list' && args.action !== 'replay')
    throw new UsageError('parked takes list or replay (journey parked list | journey parked replay --consumer NAME)');
  const store = await openReadStore(loadConfig().readStore);
  try {
    const consumer = args.consumer === undefined ? undefined : await consumerName(store, args.consumer);
    return args.action === 'list' ? await list(store, consumer, args.json) : await replay(store, consumer, args);
  } finally {
    await store.close();
  }
}

/** The parked list's name for a consumer: a reactor may be named without its `reactor:` prefix. */
async function consumerName(store: ReadStore, given: string): Promise<string> {
  if (given.startsWith(REACTOR_PREFIX)) return given;
  const known = new Set([
    ...(await store.checkpoints()).map((c) => c.projection),
    ...Object.keys(await store.parkedCounts()),
  ]);
  return known.has(given) ? given : `${REACTOR_PREFIX}${given}`;
}

async function list(store: ReadStore, consumer: string | undefined, json: boolean): Promise<number> {
  const parked = await store.parked(consumer);
  if (json) process.stdout.write(JSON.stringify({ parked }, null, 2) + '\n');
  else {
    for (const p of parked)
      process.stdout.write(`${p.projection}  ${p.position}  ${p.type}  ${p.eventId}  ${JSON.stringify(p.error)}\n`);
    process.stdout.write(`${parked.length} parked\n`);
  }
  return 0;
}

async function replay(store: ReadStore, consumer: string | undefined, args: ParkedArgs): Promise<number> {
  if (consumer === undefined)
    throw new UsageError('parked replay needs --consumer NAME (a reactor: journey parked list)');
  if (!consumer.startsWith(REACTOR_PREFIX))
    throw new UsageError(
      `${consumer} is a projection: its parked events come back with journey rebuild ${consumer} ` +
        `(its documents are built again in log order); replay is for reactors and webhook deliveries`,
    );
  const names = reactorStoreNames(consumer.slice(REACTOR_PREFIX.length));
  const parked = await store.parked(consumer);
  const unknown = args.events.filter((id) => !parked.some((p) => p.eventId === id));
  if (unknown.length > 0) throw new UsageError(`not parked by ${consumer}: ${unknown.join(', ')}`);
  const chosen: ParkedEvent[] =
    args.events.length === 0 ? parked : parked.filter((p) => args.events.includes(p.eventId));
  await store.commit({
    documents: chosen.map((p) => ({
      projection: names.replays,
      id: p.eventId,
      value: { requestedAt: new Date().toISOString() },
      position: null,
    })),
    checkpoints: [],
    parked: [],
  });
  process.stdout.write(`${chosen.length} replay(s) requested of ${consumer}\n`);
  if (!args.wait || chosen.length === 0) return 0;
  await waitFor(
    async () =>
      (
        await store.getMany(
          names.replays,
          chosen.map((p) => p.eventId),
        )
      ).size === 0,
    {
      timeoutMs: WAIT_MS,
      intervalMs: 200,
      what: `the running ${consumer} to take the replays (is it running?)`,
    },
  );
  const still = (await store.parked(consumer)).filter((p) => chosen.some((c) => c.eventId === p.eventId));
  for (const p of still) process.stdout.write(`still parked: ${p.eventId}  ${JSON.stringify(p.error)}\n`);
  process.stdout.write(`${chosen.length - still.length} replayed, ${still.length} parked again\n`);
  return still.length === 0 ? 0 : 1;
}
