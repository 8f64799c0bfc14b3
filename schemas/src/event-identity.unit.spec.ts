import { canonicalJson, eventKey, sameEvent } from './event-identity';

describe('what makes an event the same event', () => {
  it.each<[string, unknown, unknown, boolean]>([
    [
      'the same fields in another order',
      { id: 'a', data: { x: 1, y: [1, { b: 2, a: 1 }] } },
      { data: { y: [1, { a: 1, b: 2 }], x: 1 }, id: 'a' },
      true,
    ],
    ['an absent field and an undefined one', { id: 'a', c: undefined }, { id: 'a' }, true],
    ['another value', { id: 'a', data: { x: 1 } }, { id: 'a', data: { x: 2 } }, false],
    ['another array order', { tags: ['a', 'b'] }, { tags: ['b', 'a'] }, false],
    ['one more field', { id: 'a' }, { id: 'a', subject: 'c' }, false],
    ['another extension attribute value', { id: 'a', tenant: 'x' }, { id: 'a', tenant: 'y' }, false],
    [
      'the same event sent in another trace (distributed-tracing extension)',
      { id: 'a', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v' },
      { id: 'a', traceparent: '00-1bf7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01' },
      true,
    ],
  ])('given %s, same: %s', (_case, a, b, same) => {
    expect(sameEvent(a, b)).toBe(same);
  });

  it('keys an event by source and id, whatever characters they hold', () => {
    expect(eventKey({ source: '/a', id: 'b' })).not.toBe(eventKey({ source: '/a"', id: 'b' }));
    expect(eventKey({ source: 'x', id: 'y,z' })).not.toBe(eventKey({ source: 'x,y', id: 'z' }));
    expect(canonicalJson({ b: 1, a: 'é' })).toBe('{"a":"é","b":1}');
  });
});
