import { loadConfig, openLogAndStore } from '#config';
import { PROJECTIONS } from '#journey-projections';
import { createLogger } from '#logging';
import { ProjectionRunner } from '#projection-runtime';
import { eventsUpTo } from '../analysis-log';
import { Progress } from '../progress';
import { UsageError } from '../usage-error';

/**
 * `journey rebuild <projection>`: drops the projection's documents and replays the log into it,
 * until it has caught up with the head at the start. Every batch commits documents and
 * checkpoint together, so an interrupted rebuild resumes from its checkpoint (here, or in the
 * projector). It holds the read store's projections lock alone: refused while projectors run on
 * that store (two writers would race), and projectors cannot start until it ends.
 */
export async function rebuildCommand(projection: string | undefined, signal: AbortSignal): Promise<number> {
  const names = PROJECTIONS.map((p) => p.name);
  if (projection === undefined || !names.includes(projection))
    throw new UsageError(`name a projection to rebuild: ${names.join(', ')}`);
  const config = loadConfig();
  const { log, store } = await openLogAndStore(config);
  const runner = new ProjectionRunner({
    log,
    store,
    projections: PROJECTIONS,
    batchSize: config.projector.batchSize,
    exclusive: true,
    logger: createLogger('journey', 'error', 'stderr'),
  });
  try {
    const head = await log.head();
    const progress = new Progress(`rebuild ${projection}`, eventsUpTo(log, head));
    await runner.start();
    // After the reset: the projection's position starts again from nothing.
    await runner.rebuild(projection);
    let seen: string | null = null;
    await new Promise<void>((resolve) => {
      const check = () => {
        const position = runner.position(projection);
        if (position !== null) {
          progress.add(log.positions.distance(seen, position));
          seen = position;
        }
        if (head === null || log.positions.reached(position, head)) resolve();
      };
      runner.on('committed', check);
      signal.addEventListener('abort', () => resolve(), { once: true });
      check();
    });
    const seconds = progress.finish();
    await runner.stop();
    if (signal.aborted) {
      process.stderr.write(
        `rebuild ${projection}: interrupted; the projection resumes from its last committed batch\n`,
      );
      return 130;
    }
    if (process.stderr.isTTY)
      process.stderr.write(`rebuild ${projection}: caught up with the log in ${seconds.toFixed(1)} s\n`);
    return 0;
  } finally {
    await runner.stop();
    await log.close();
  }
}
