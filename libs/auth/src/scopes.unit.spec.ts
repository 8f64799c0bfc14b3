import { allows, canSpeakFor, canWrite, matchesPattern, scopeProblem, type Principal } from './scopes';

const principal = (scopes: string[], sources: string[] | null = null): Principal => ({
  credential: 'k1',
  kind: 'key',
  scopes,
  sources,
  expiresAt: null,
});

describe('scopes', () => {
  it.each([
    ['shipment.*', 'shipment.delayed', true],
    ['shipment.*', 'shipment', false],
    ['shipment.*', 'shipments.delayed', false],
    ['order.placed', 'order.placed', true],
    ['order.placed', 'order.placedx', false],
    ['order.*d', 'order.placed', true],
    ['*.placed', 'order.placed', true],
    ['*.placed', 'a.b.placed', false],
    ['*', 'refund.issued', true],
    ['checkout-web*', 'checkout-web-eu', true],
    ['checkout-web*', 'checkout-mobile', false],
    ['shipment-*', 'shipment-dhl', true],
    ['a+b', 'aab', false],
  ])('given pattern %s, when matched against %s, then %s', (pattern, value, expected) => {
    expect(matchesPattern(pattern, value)).toBe(expected);
  });

  it.each([
    [['events:write:shipment.*'], 'shipment.delayed', true],
    [['events:write:shipment.*'], 'refund.issued', false],
    [['journeys:read'], 'order.placed', false],
    [['admin'], 'refund.issued', true],
  ])('given scopes %j, when writing %s, then allowed is %s', (scopes, type, expected) => {
    expect(canWrite(principal(scopes), type)).toBe(expected);
  });

  it('given source patterns, then only matching sources are spoken for; none pinned: any', () => {
    expect(canSpeakFor(principal(['admin'], ['shipment-*']), 'shipment-dhl')).toBe(true);
    expect(canSpeakFor(principal(['admin'], ['shipment-*']), 'checkout-web')).toBe(false);
    expect(canSpeakFor(principal(['admin']), 'anything')).toBe(true);
  });

  it.each([
    ['journeys:read', ['journeys:read'], true],
    ['journeys:read', ['pii:read'], false],
    ['metrics:read', ['admin'], true],
    ['events:write', ['events:write:order.*'], true],
    ['events:write', ['journeys:read'], false],
    ['public', [], true],
  ] as const)('given a route needing %s and scopes %j, then allowed is %s', (access, scopes, expected) => {
    expect(allows(principal([...scopes]), access)).toBe(expected);
  });

  it.each([
    ['journeys:read', null],
    ['events:write:shipment.*', null],
    ['events:write:', /not an event type pattern/],
    ['events:write:a b', /not an event type pattern/],
    ['journeys:write', /unknown scope/],
  ])('given the scope %s, then its problem is %s', (scope, problem) => {
    if (problem === null) expect(scopeProblem(scope)).toBeNull();
    else expect(scopeProblem(scope)).toMatch(problem);
  });
});
