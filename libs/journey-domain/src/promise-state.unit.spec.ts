import { promiseState } from './promise-state';

describe('promise state, judged at the time of the view', () => {
  const dueAt = '2026-03-13T17:00:00Z';
  it.each([
    ['open, before its due time', null, '2026-03-13T16:59:59Z', 'open'],
    ['not kept, at its due time', null, '2026-03-13T17:00:00Z', 'overdue'],
    ['not kept, after its due time', null, '2026-03-20T00:00:00Z', 'overdue'],
    ['kept before the view', '2026-03-13T09:00:00Z', '2026-03-20T00:00:00Z', 'kept'],
    ['kept late, seen after it was kept', '2026-03-15T09:00:00Z', '2026-03-20T00:00:00Z', 'kept'],
    ['kept later than the view time (replay)', '2026-03-15T09:00:00Z', '2026-03-14T00:00:00Z', 'overdue'],
  ])('given a promise %s, then %s', (_case, keptAt, at, expected) => {
    expect(promiseState({ dueAt, keptAt }, at)).toBe(expected);
  });
});
