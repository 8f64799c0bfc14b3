import { eventStorePositions, eventStoreToken, parseEventStoreToken } from './eventstoredb-position';

describe('EventStoreDB position tokens', () => {
  it('given an $all position, when written as a token and read back, then it is the same (bigint, beyond 2^53)', () => {
    const position = { commit: 18446744073709551615n, prepare: 9007199254740993n };
    expect(eventStoreToken(position)).toBe('e.18446744073709551615.9007199254740993');
    expect(parseEventStoreToken(eventStoreToken(position))).toEqual(position);
  });

  it.each([
    '',
    'e.',
    'e.1',
    'e.1.',
    'e..1',
    'e.1.2.3',
    'e.-1.2',
    's12',
    'k.0:1',
    'e.1.2 ',
    'e.123456789012345678901.1',
  ])('given %j, when validated, then it is refused as invalid_position', (token) => {
    expect(() => eventStorePositions.validate(token)).toThrow(expect.objectContaining({ code: 'invalid_position' }));
  });

  it.each([
    // a, b, sign of compare(a, b)
    ['e.10.10', 'e.10.10', 0],
    ['e.10.5', 'e.11.0', -1],
    ['e.11.0', 'e.10.9', 1],
    ['e.10.4', 'e.10.5', -1],
    ['e.99.99', 'e.100.0', -1],
  ])('given %s and %s, when compared, then the order is %s (commit, then prepare, as numbers)', (a, b, sign) => {
    expect(Math.sign(eventStorePositions.compare(a, b))).toBe(sign);
  });

  it.each([
    [null, 'e.0.0', false],
    ['e.10.10', 'e.10.10', true],
    ['e.10.10', 'e.9.100', true],
    ['e.10.10', 'e.11.0', false],
  ])('given a reader at %s, when asked about %s, then reached is %s', (current, target, reached) => {
    expect(eventStorePositions.reached(current, target)).toBe(reached);
  });

  it('merges to the furthest, finds the lowest, and counts the lag in transaction-file bytes', () => {
    expect(eventStorePositions.merge(null, 'e.5.5')).toBe('e.5.5');
    expect(eventStorePositions.merge('e.9.9', 'e.5.5')).toBe('e.9.9');
    expect(eventStorePositions.lowest(['e.9.9', 'e.5.5', 'e.7.0'])).toBe('e.5.5');
    expect(eventStorePositions.lowest(['e.9.9', null])).toBeNull();
    expect(eventStorePositions.distance('e.100.100', 'e.350.340')).toBe(250);
    expect(eventStorePositions.distance(null, 'e.350.340')).toBe(350);
    expect(eventStorePositions.distance('e.400.400', 'e.350.340')).toBe(0);
    expect(eventStorePositions.lagByPartition('e.100.100', 'e.350.340')).toEqual({ '0': 250 });
  });
});
