import { governingPolicy, type PolicyVersion } from './policy';

const v = (version: number, effectiveFrom: string): PolicyVersion => ({ policyId: 'returns', version, kind: 'returns', wording: `v${version}`, returnWindowDays: 30, effectiveFrom });

describe('policy version choice', () => {
  const versions = [v(1, '2026-01-01T00:00:00Z'), v(2, '2026-03-10T00:00:00Z'), v(3, '2026-06-01T00:00:00Z')];
  it.each([
    ['an order placed before any policy', '2025-12-31T23:59:59Z', null],
    ['an order placed under v1', '2026-03-01T10:00:00Z', 1],
    ['an order placed the instant v2 takes effect', '2026-03-10T00:00:00Z', 2],
    ['an order placed under v2', '2026-05-31T00:00:00Z', 2],
    ['an order placed after v3', '2026-07-01T00:00:00Z', 3],
  ])('given %s, the governing version is %s', (_case, placedAt, expected) => {
    expect(governingPolicy(versions, placedAt)?.version ?? null).toBe(expected);
  });

  it('prefers the higher version when two take effect at the same time, whatever the order given', () => {
    expect(governingPolicy([v(5, '2026-01-01T00:00:00Z'), v(4, '2026-01-01T00:00:00Z')], '2026-02-01T00:00:00Z')?.version).toBe(5);
  });

  it('ignores a version published after the order was placed, whatever its effectiveFrom', () => {
    const late = { ...v(9, '2026-03-20T00:00:00Z'), publishedAt: '2026-04-01T00:00:00Z' };
    expect(governingPolicy([...versions, late], '2026-03-25T10:00:00Z')?.version).toBe(2);
    expect(governingPolicy([...versions, late], '2026-04-02T00:00:00Z')?.version).toBe(9);
  });
});
