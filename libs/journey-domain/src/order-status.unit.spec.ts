import { nextStatus, type StatusCode } from './order-status';

describe('order status precedence', () => {
  // given the current status (since t0), when a fact suggesting `candidate` happened at `at`, then `expected`.
  const t0 = '2026-03-05T12:00:00Z';
  const earlier = '2026-03-04T12:00:00Z';
  const later = '2026-03-06T12:00:00Z';
  it.each<[StatusCode, StatusCode, string, StatusCode, string]>([
    ['placed', 'confirmed', later, 'confirmed', 'payment moves an order forward'],
    ['delivered', 'in_transit', earlier, 'delivered', 'a late in-transit scan does not move back'],
    ['delivered', 'in_transit', later, 'delivered', 'even a newer scan cannot undo a delivery'],
    ['in_transit', 'delayed', later, 'delayed', 'a newer delay replaces in-transit (same rank)'],
    ['delayed', 'in_transit', later, 'in_transit', 'movement after a delay shows in-transit again'],
    ['delayed', 'in_transit', earlier, 'delayed', 'an older scan arriving late does not hide the delay'],
    ['shipped', 'delivered', earlier, 'delivered', 'a further status wins even when its fact is older'],
    ['out_for_delivery', 'delivery_problem', later, 'delivery_problem', 'a failed attempt after out-for-delivery'],
    ['delivery_problem', 'out_for_delivery', later, 'out_for_delivery', 'a new attempt after a failed one'],
    ['delivered', 'return_requested', later, 'return_requested', 'a return follows a delivery'],
    [
      'return_in_progress',
      'return_requested',
      later,
      'return_in_progress',
      'a second request does not move an approved return back',
    ],
    ['return_in_progress', 'refunded', later, 'refunded', 'the refund closes the return'],
    ['refunded', 'delivered', later, 'refunded', 'a duplicate delivery fact after a refund changes nothing'],
    ['shipped', 'cancelled', later, 'cancelled', 'a cancellation wins'],
    ['placed', 'payment_failed', later, 'payment_failed', 'a failed payment shows'],
    ['payment_failed', 'confirmed', later, 'confirmed', 'a retried payment confirms'],
  ])('given %s, when %s (at %s), then %s: %s', (current, candidate, at, expected) => {
    expect(nextStatus({ code: current, since: t0 }, candidate, at).code).toBe(expected);
  });

  it('keeps the time of the fact that set the status', () => {
    expect(nextStatus({ code: 'placed', since: t0 }, 'confirmed', later)).toEqual({ code: 'confirmed', since: later });
    expect(nextStatus({ code: 'delivered', since: t0 }, 'in_transit', later)).toEqual({ code: 'delivered', since: t0 });
  });
});
