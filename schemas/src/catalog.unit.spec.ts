import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES, catalog, generateJsonSchemaFiles, latestVersion, upcast, validateEvent } from './index';

const envelope = (type: string, data: unknown, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: 'e1',
  source: '/test',
  type,
  subject: 'cust-1',
  time: '2026-03-01T10:00:00Z',
  data,
  ...extra,
});

describe('event catalog', () => {
  it('covers every type of the v1 contract (new types may be added), each owned by one producer domain', () => {
    expect(EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'checkout.started',
        'order.placed',
        'payment.captured',
        'payment.failed',
        'order.cancelled',
        'shipment.dispatched',
        'shipment.progressed',
        'shipment.delayed',
        'shipment.delivered',
        'shipment.exception',
        'contact.opened',
        'contact.handed_off',
        'contact.resolved',
        'contact.reopened',
        'promise.made',
        'promise.kept',
        'feedback.received',
        'return.requested',
        'return.approved',
        'return.rejected',
        'return.received',
        'refund.issued',
        'identity.linked',
        'identity.unlinked',
        'policy.published',
        'channel.message_sent',
      ]),
    );
    for (const type of EVENT_TYPES)
      expect(['checkout', 'shipment', 'contact', 'returns']).toContain(catalog[type].owner);
  });

  it.each([
    [
      'a missing envelope field',
      { ...envelope('order.cancelled', { orderId: 'o', reason: 'r' }), id: undefined },
      'id',
    ],
    [
      'a wrong specversion',
      envelope('order.cancelled', { orderId: 'o', reason: 'r' }, { specversion: '0.3' }),
      'specversion',
    ],
    ['an unknown type', envelope('order.teleported', {}), 'type'],
    ['a missing data field', envelope('order.cancelled', { orderId: 'o' }), 'data.reason'],
    [
      'a wrong data type',
      envelope('payment.captured', { orderId: 'o', paymentId: 'p', amount: 12.5, currency: 'EUR', method: 'card' }),
      'data.amount',
    ],
    [
      'a bad currency',
      envelope('payment.captured', { orderId: 'o', paymentId: 'p', amount: 1, currency: 'euro', method: 'card' }),
      'data.currency',
    ],
    [
      'a time with an offset',
      envelope('order.cancelled', { orderId: 'o', reason: 'r' }, { time: '2026-03-01T10:00:00+02:00' }),
      'time',
    ],
    [
      'an unknown schema version',
      envelope('order.cancelled', { orderId: 'o', reason: 'r' }, { schemaversion: 7 }),
      'schemaversion',
    ],
    [
      'a policy with a customer subject',
      envelope('policy.published', {
        policyId: 'p',
        version: 1,
        kind: 'pricing',
        wording: 'w',
        rules: {},
        effectiveFrom: '2026-01-01T00:00:00Z',
      }),
      'subject',
    ],
    [
      'a returns policy without a window',
      envelope(
        'policy.published',
        { policyId: 'p', version: 1, kind: 'returns', wording: 'w', rules: {}, effectiveFrom: '2026-01-01T00:00:00Z' },
        { subject: 'policy/p' },
      ),
      'data.rules.returnWindowDays',
    ],
    [
      'a customer event with a policy subject',
      envelope('order.cancelled', { orderId: 'o', reason: 'r' }, { subject: 'policy/x' }),
      'subject',
    ],
  ])('given %s, validation names the field', (_case, raw, path) => {
    const result = validateEvent(raw, 3);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContainEqual(expect.objectContaining({ index: 3, path }));
  });

  it('accepts a valid event and fills in the defaults', () => {
    const result = validateEvent(envelope('order.cancelled', { orderId: 'o', reason: 'r' }));
    expect(result).toEqual({
      ok: true,
      event: expect.objectContaining({ schemaversion: 1, datacontenttype: 'application/json' }),
    });
  });

  describe('upcasting shipment.delayed v1 -> v2', () => {
    it.each([
      ['Storm closed the hub', 'weather'],
      ['Carrier backlog after peak', 'carrier_capacity'],
      ['Wrong address on the label', 'address_issue'],
      ['Held at customs', 'customs'],
      ['Item out of stock at the warehouse', 'stock'],
      ['No idea', 'other'],
    ])('given the reason "%s", the v2 reasonCode is %s', (reason, reasonCode) => {
      const v1 = validateEvent(
        envelope(
          'shipment.delayed',
          { orderId: 'o', shipmentId: 's', newEta: '2026-03-09T00:00:00Z', reason },
          { schemaversion: 1 },
        ),
      );
      expect(v1.ok).toBe(true);
      if (!v1.ok) return;
      const upcast2 = upcast(v1.event);
      expect(upcast2).toMatchObject({ schemaversion: 2, data: { reason, reasonCode } });
      expect(catalog['shipment.delayed'].versions[1].safeParse(upcast2.data).success).toBe(true);
    });

    it('leaves an event already at the latest version unchanged', () => {
      const v2 = validateEvent(
        envelope(
          'shipment.delayed',
          { orderId: 'o', shipmentId: 's', newEta: '2026-03-09T00:00:00Z', reason: 'x', reasonCode: 'customs' },
          { schemaversion: 2 },
        ),
      );
      expect(v2.ok && upcast(v2.event).data).toMatchObject({ reasonCode: 'customs' });
      expect(latestVersion('shipment.delayed')).toBe(2);
    });
  });

  it('has checked-in JSON Schema files identical to the generated ones (run `npm run schemas:generate`)', () => {
    const dir = join(__dirname, '../json');
    const generated = generateJsonSchemaFiles();
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.schema.json'))
        .sort(),
    ).toEqual(generated.map((f) => f.fileName).sort());
    for (const file of generated)
      expect({ file: file.fileName, content: readFileSync(join(dir, file.fileName), 'utf8') }).toEqual({
        file: file.fileName,
        content: file.content,
      });
  });
});
