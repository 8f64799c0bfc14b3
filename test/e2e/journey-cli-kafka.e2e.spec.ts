import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDataDir } from '#testing';
import { dropKafkaEnv, kafkaEnv } from './kafka-env';

const CLI = join(ROOT, 'dist/apps/journey-cli/src/main.js');

function journey(env: Record<string, string>, args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * The analysts' tool on the distributed log: the same simulation written to Kafka (through the
 * ingestion path) and to SQLite gives the same metrics, although Kafka hands the journeys back
 * partition by partition rather than in one order.
 */
describe('journey CLI on Kafka', () => {
  const env = kafkaEnv('cli_kafka', 4);
  const sqliteDir = tempDataDir('journey-cli-sqlite-');

  afterAll(async () => {
    rmSync(sqliteDir, { recursive: true, force: true });
    await dropKafkaEnv(env);
  });

  it('simulate then metrics gives the same figures as on SQLite, and replay reads a journey back', () => {
    const simulate = ['simulate', '--customers', '300', '--seed', '4', '--contradiction-rate', '0.3'];
    const onKafka = journey(env, simulate);
    expect(onKafka.code).toBe(0);
    const onSqlite = journey({ DATA_DIR: sqliteDir }, simulate);
    expect(onSqlite.code).toBe(0);
    expect(JSON.parse(onKafka.stdout).counts).toEqual(JSON.parse(onSqlite.stdout).counts);

    const metrics = ['metrics', '--from', '2025-01-01', '--to', '2027-01-01', '--by', 'week', '--format', 'json'];
    const kafkaMetrics = journey(env, metrics);
    expect(kafkaMetrics).toMatchObject({ code: 0, stderr: '' });
    const sqliteMetrics = journey({ DATA_DIR: sqliteDir }, metrics);
    expect(JSON.parse(kafkaMetrics.stdout)).toEqual(JSON.parse(sqliteMetrics.stdout));

    const timeline = journey(env, ['replay', '--customer', 'sim4-12']);
    expect(timeline.code).toBe(0);
    expect(timeline.stdout).toBe(journey({ DATA_DIR: sqliteDir }, ['replay', '--customer', 'sim4-12']).stdout);
  }, 120_000);
});
