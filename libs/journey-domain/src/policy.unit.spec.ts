import { governingPolicy, type PolicyVersion } from './policy';

const v = (
  version: number,
  effectiveFrom: string,
  received: number,
  kind: PolicyVersion['kind'] = 'returns',
): PolicyVersion => ({
  policyId: 'returns',
  version,
  kind,
  wording: `v${version}`,
  returnWindowDays: 30,
  effectiveFrom,
  received,
});

describe('policy version choice', () => {
  // Received by the log at sequence 10, 20 and 30.
  const versions = [
    v(1, '2026-01-01T00:00:00Z', 10),
    v(2, '2026-03-10T00:00:00Z', 20),
    v(3, '2026-06-01T00:00:00Z', 30),
  ];
  it.each([
    ['an order placed before any policy', '2025-12-31T23:59:59Z', 100, null],
    ['an order placed under v1', '2026-03-01T10:00:00Z', 100, 1],
    ['an order placed the instant v2 takes effect', '2026-03-10T00:00:00Z', 100, 2],
    ['an order placed under v2', '2026-05-31T00:00:00Z', 100, 2],
    ['an order placed after v3', '2026-07-01T00:00:00Z', 100, 3],
    ['an order placed after v3 took effect, received before v3 was', '2026-07-01T00:00:00Z', 25, 2],
    ['an order received before any policy', '2026-07-01T00:00:00Z', 5, null],
    ['an order received at the same sequence as v2 (not after it)', '2026-05-31T00:00:00Z', 20, 1],
  ])('given %s, the governing version is %s', (_case, placedAt, received, expected) => {
    expect(governingPolicy(versions, { placedAt, received })?.version ?? null).toBe(expected);
  });

  it('prefers the higher version when two take effect at the same time, whatever the order given', () => {
    expect(
      governingPolicy([v(5, '2026-01-01T00:00:00Z', 1), v(4, '2026-01-01T00:00:00Z', 2)], {
        placedAt: '2026-02-01T00:00:00Z',
        received: 9,
      })?.version,
    ).toBe(5);
  });

  it(
    'never lets a version received after the order govern it, whatever its time and effectiveFrom say ' +
      '(back-dating)',
    () => {
      const backdated = v(9, '2026-02-01T00:00:00Z', 150);
      const order = { placedAt: '2026-03-01T10:00:00Z', received: 100 };
      expect(governingPolicy([...versions, backdated], order)?.version).toBe(1);
      // A later order, received after it, is governed by it.
      expect(governingPolicy([...versions, backdated], { ...order, received: 200 })?.version).toBe(9);
    },
  );

  it('chooses among the kind asked for only', () => {
    expect(
      governingPolicy([v(7, '2026-01-01T00:00:00Z', 1, 'shipping')], { placedAt: '2026-02-01T00:00:00Z', received: 9 }),
    ).toBeNull();
    expect(
      governingPolicy(
        [v(7, '2026-01-01T00:00:00Z', 1, 'shipping')],
        { placedAt: '2026-02-01T00:00:00Z', received: 9 },
        'shipping',
      )?.version,
    ).toBe(7);
  });
});
