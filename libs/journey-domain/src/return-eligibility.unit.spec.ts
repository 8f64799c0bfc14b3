import { returnEligibility, type EligibilityInput } from './return-eligibility';

const policy = { version: 1, returnWindowDays: 30 };
const deliveredAt = '2026-03-09T11:20:00Z';

describe('return eligibility', () => {
  it.each<[string, EligibilityInput, boolean, string | null, RegExp]>([
    [
      'delivered, within the window',
      { status: 'delivered', deliveredAt, policy, at: '2026-03-28T10:00:00Z' },
      true,
      '2026-04-08T11:20:00.000Z',
      /within the 30-day/i,
    ],
    [
      'delivered, the last instant of the window',
      { status: 'delivered', deliveredAt, policy, at: '2026-04-08T11:20:00Z' },
      true,
      '2026-04-08T11:20:00.000Z',
      /within/i,
    ],
    [
      'delivered, after the window',
      { status: 'delivered', deliveredAt, policy, at: '2026-04-08T11:20:01Z' },
      false,
      '2026-04-08T11:20:00.000Z',
      /has ended/,
    ],
    [
      'not delivered yet',
      { status: 'in_transit', deliveredAt: null, policy, at: '2026-03-05T00:00:00Z' },
      false,
      null,
      /once the order is delivered/,
    ],
    [
      'cancelled',
      { status: 'cancelled', deliveredAt: null, policy, at: '2026-03-05T00:00:00Z' },
      false,
      null,
      /cancelled/,
    ],
    [
      'no policy in force',
      { status: 'delivered', deliveredAt, policy: null, at: '2026-03-10T00:00:00Z' },
      false,
      null,
      /No returns policy/,
    ],
    [
      'already refunded',
      { status: 'refunded', deliveredAt, policy, at: '2026-03-10T00:00:00Z' },
      false,
      null,
      /refunded/,
    ],
  ])('given %s, then eligible=%s until %s', (_case, input, eligible, until, reason) => {
    const result = returnEligibility(input);
    expect(result).toMatchObject({ eligible, until });
    expect(result.reason).toMatch(reason);
  });

  it('names the policy version it judged by', () => {
    expect(
      returnEligibility({
        status: 'delivered',
        deliveredAt,
        policy: { version: 4, returnWindowDays: 14 },
        at: deliveredAt,
      }).policyVersion,
    ).toBe(4);
  });
});
