import { PERSONAL_TEXT_FIELDS } from '#schemas';
import { redact, redactText } from './redaction';

describe('redaction of personal data in exports', () => {
  it('masks the fields the catalog and the view schemas declare personal (the identity value is masked whole)', () => {
    expect([...PERSONAL_TEXT_FIELDS].sort()).toEqual(
      [
        'contextSummary',
        'detail',
        'lastContactReason',
        'lastReason',
        'reason',
        'resolution',
        'summary',
        'text',
        'verbatim',
      ].sort(),
    );
  });

  it.each([
    ['mail me at jan.de.vries@example.co.uk please', 'mail me at [email] please'],
    ['call +31 6 1234 5678 after 5', 'call [phone] after 5'],
    ['or (020) 555-0199-12', 'or [phone]'],
    ['My name is Anna Kowalska and the box was empty', 'My name is [name] and the box was empty'],
    ["Hi, I'm Tom. Parcel late.", "Hi, I'm [name]. Parcel late."],
    ['I spoke to Maria yesterday', 'I spoke to [name] yesterday'],
    ['Thanks, Pieter', 'Thanks, [name]'],
    ['Mrs. Jansen called', 'Mrs. [name] called'],
  ])('given %j, when redacted, then %j', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    'Order o12345 arrived on 2026-03-01 at 10:00',
    'Refund of €128.55 issued',
    'Tracking T123456789 shows the hub',
    'this is late and i am unhappy',
    'Return within 30 days of delivery',
  ])('given %j with no personal data, when redacted, then it is unchanged', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('given an event, masks identity values and free text, and leaves ids, times and amounts', () => {
    const event = {
      id: 'e-1',
      subject: 'cust-42',
      time: '2026-03-01T10:00:00Z',
      type: 'feedback.received',
      data: { score: 2, verbatim: 'Ask for Karel on 0612345678, or karel@example.com' },
    };
    expect(redact(event)).toEqual({ ...event, data: { score: 2, verbatim: 'Ask for [name] on [phone], or [email]' } });
    expect(redact({ type: 'identity.linked', data: { kind: 'phone', value: '+31612345678' } })).toEqual({
      type: 'identity.linked',
      data: { kind: 'phone', value: '[phone]' },
    });
  });

  it('given a journey view, masks its identities and the texts of cases and promises', () => {
    const view = {
      customerId: 'cust-42',
      identities: [{ kind: 'email', value: 'a@b.nl' }],
      cases: [
        {
          caseId: 'k1',
          lastReason: 'This is Eva, call 0612345678',
          promises: [{ text: 'Call Eva back', dueAt: '2026-03-02T10:00:00Z' }],
        },
      ],
      orders: [{ orderId: 'o1', totals: { total: 12855 } }],
    };
    expect(redact(view)).toEqual({
      customerId: 'cust-42',
      identities: [{ kind: 'email', value: '[email]' }],
      cases: [
        {
          caseId: 'k1',
          lastReason: 'This is [name], call [phone]',
          promises: [{ text: 'Call Eva back', dueAt: '2026-03-02T10:00:00Z' }],
        },
      ],
      orders: [{ orderId: 'o1', totals: { total: 12855 } }],
    });
  });
});
