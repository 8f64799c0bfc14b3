import { projectionProblems } from './projection-health';
import type { ProjectionStatus } from './projection-status';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const status = (over: Partial<ProjectionStatus>): ProjectionStatus => ({
  projection: 'journey-view',
  version: 1,
  position: 's10',
  lag: 0,
  parked: 0,
  updatedAt: '2026-12-01T11:59:59Z',
  ...over,
});
const thresholds = { maxLagEvents: 1000, stallMs: 30_000 };

describe('when a projection is not healthy', () => {
  it.each<[string, Partial<ProjectionStatus>, string[]]>([
    ['caught up', {}, []],
    ['caught up, and idle for an hour', { updatedAt: '2026-12-01T11:00:00Z' }, []],
    ['a little behind, moving', { lag: 50 }, []],
    ['with parked events', { parked: 2 }, ['parked_events']],
    ['too far behind, moving', { lag: 5000 }, ['behind']],
    ['behind, not moved for a minute', { lag: 3, updatedAt: '2026-12-01T11:59:00Z' }, ['stalled']],
    ['behind, just under the stall time', { lag: 3, updatedAt: '2026-12-01T11:59:31Z' }, []],
    ['never started (no checkpoint time)', { lag: 3, updatedAt: null }, []],
    [
      'far behind and stalled, with parked events',
      { lag: 5000, parked: 1, updatedAt: '2026-12-01T10:00:00Z' },
      ['parked_events', 'behind', 'stalled'],
    ],
  ])('given a projection %s, the problems are %j', (_case, over, expected) => {
    const problems = projectionProblems([status(over)], thresholds, NOW);
    expect(problems.map((p) => p.problem)).toEqual(expected);
    for (const p of problems) expect(p.projection).toBe('journey-view');
  });

  it('says how long and how far in words', () => {
    const [stalled] = projectionProblems([status({ lag: 7, updatedAt: '2026-12-01T11:58:00Z' })], thresholds, NOW);
    expect(stalled.message).toBe('not advanced for 120 s while 7 events behind');
  });
});
