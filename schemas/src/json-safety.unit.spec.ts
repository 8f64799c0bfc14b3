import { MAX_JSON_DEPTH, invisibleCharacter, jsonProblems, validateEvent } from './index';

const envelope = (data: unknown, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: 'e1',
  source: '/test',
  type: 'contact.opened',
  subject: 'cust-1',
  time: '2026-03-01T10:00:00Z',
  data: { caseId: 'k1', contactId: 'c1', channel: 'chat', reason: 'where is it', tags: [], ...(data as object) },
  ...extra,
});

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('text and structure every store can keep', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a NUL in a value', { reason: 'a\u0000b' }, 'data.reason', /NUL/],
    ['a lone high surrogate', { summary: 'x\ud800' }, 'data.summary', /unpaired/],
    ['a lone low surrogate', { tags: ['ok', '\udc00y'] }, 'data.tags.1', /unpaired/],
    ['a NUL in a field name', { ['odd\u0000key']: 1 }, 'data."odd\\u0000key"', /field name .*NUL/],
    ['a number JSON cannot write back', { score: Number.POSITIVE_INFINITY }, 'data.score', /finite/],
  ])('given %s, the event is refused naming the field', (_case, data, path, message) => {
    const result = validateEvent(envelope(data), 2);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContainEqual({ index: 2, path, message: expect.stringMatching(message) });
  });

  it('given a paired surrogate (an emoji), the text is kept', () => {
    const result = validateEvent(envelope({ reason: 'late again 😞 𝄞' }));
    expect(result.ok && result.event.data).toMatchObject({ reason: 'late again 😞 𝄞' });
  });

  it.each([
    [MAX_JSON_DEPTH - 2, true],
    [MAX_JSON_DEPTH, false],
    [5000, false],
    [100_000, false],
  ])('given data nested %i levels, refused: %s', (depth, ok) => {
    const problems = jsonProblems({ data: nested(depth) });
    expect(problems.length === 0).toBe(ok);
    if (!ok) expect(problems[0].message).toMatch(`nested more than ${MAX_JSON_DEPTH} levels`);
  });

  it('given policy rules nested 5,000 levels deep, the policy is refused, not a crash', () => {
    const raw = {
      specversion: '1.0',
      id: 'p1',
      source: '/returns',
      type: 'policy.published',
      subject: 'policy/p',
      time: '2026-01-01T00:00:00Z',
      data: {
        policyId: 'p',
        version: 1,
        kind: 'pricing',
        wording: 'w',
        rules: { deep: nested(5000) },
        effectiveFrom: '2026-01-01T00:00:00Z',
      },
    };
    const result = validateEvent(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0].path).toMatch(/^data\.rules\.deep(\.a)+$/);
  });

  it.each([
    ['a zero-width space', 'cust\u200b-1', 'U+200B'],
    ['a right-to-left override', 'cust-\u202e1', 'U+202E'],
    ['a no-break space', 'cust\u00a01', 'U+00A0'],
    ['a tab', 'cust\t1', 'U+0009'],
    ['a byte order mark inside', 'cust\ufeff-1', 'U+FEFF'],
  ])('given a subject with %s, the event is refused naming it', (_case, subject, code) => {
    const result = validateEvent(envelope({}, { subject }));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toContainEqual(
        expect.objectContaining({ path: 'subject', message: expect.stringContaining(code) }),
      );
  });

  it.each([
    ['an event id', { id: 'e\u200d1' }, 'id'],
    ['a source', { source: '/check\u2060out' }, 'source'],
    [
      'an order id in the data',
      { data: { caseId: 'k\u200c1', contactId: 'c', channel: 'chat', reason: 'r', tags: [] } },
      'data.caseId',
    ],
  ])('given %s with an invisible character, it is refused', (_case, extra, path) => {
    const result = validateEvent(envelope({}, extra));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path)).toContain(path);
  });

  it('given an identity value with a zero-width character (a look-alike of another), it is refused', () => {
    const raw = { ...envelope({}), type: 'identity.linked', data: { kind: 'email', value: 'ada\u200b@example.com' } };
    const result = validateEvent(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0].path).toBe('data.value');
  });

  it('names visible text as clean', () => {
    expect(invisibleCharacter('ord-1001 / Zoë ✓')).toBeNull();
  });
});
