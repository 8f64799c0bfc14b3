import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Id } from './common';
import {
  EVENT_TYPES,
  PERSONAL_DATA,
  catalog,
  extensionAttributesOf,
  generateJsonSchemaFiles,
  latestVersion,
  personalFieldPaths,
  stringFields,
  upcast,
  validateEvent,
} from './index';
import { orderPlacedData } from './testing';

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
    // `privacy` is the backbone's own domain (the erasure): no producer app owns it.
    for (const type of EVENT_TYPES)
      expect(['checkout', 'shipment', 'contact', 'returns', 'privacy']).toContain(catalog[type].owner);
  });

  describe('personal data', () => {
    it('declares every string field of every version of every type personal or not personal', () => {
      const undeclared = EVENT_TYPES.flatMap((type) =>
        catalog[type].versions.flatMap((schema, i) =>
          stringFields(schema)
            .filter((field) => field.declared === 'undeclared')
            .map((field) => `${type} v${i + 1} data.${field.path.join('.')}`),
        ),
      );
      expect(undeclared).toEqual([]);
    });

    it('finds an undeclared string field, however deep (the check above can fail)', () => {
      const schema = z.object({ a: Id, b: z.array(z.object({ c: z.string().optional() })) });
      expect(stringFields(schema).map((f) => [f.path.join('.'), f.declared])).toEqual([
        ['a', 'not personal'],
        ['b.*.c', 'undeclared'],
      ]);
    });

    it('keeps a personal field personal, at the same place, in every version that has it (upcasters move none)', () => {
      for (const type of EVENT_TYPES) {
        const versions = catalog[type].versions;
        const latest = personalFieldPaths(versions[versions.length - 1]).map((p) => p.join('.'));
        for (const [index, schema] of versions.entries()) {
          const fields = new Set(stringFields(schema).map((f) => f.path.join('.')));
          const paths = personalFieldPaths(schema).map((p) => p.join('.'));
          // A later version may add a personal field (channel.message_sent v2's text); none stops being one.
          expect({ type, version: index + 1, paths }).toEqual({
            type,
            version: index + 1,
            paths: latest.filter((path) => fields.has(path)),
          });
        }
      }
    });

    it('declares at least what the design names: identity values, contact reasons, summaries, promise texts', () => {
      const personal = (type: (typeof EVENT_TYPES)[number]) =>
        personalFieldPaths(catalog[type].versions[catalog[type].versions.length - 1]).map((p) => p.join('.'));
      expect(personal('identity.linked')).toEqual(['value']);
      expect(personal('contact.opened')).toEqual(expect.arrayContaining(['reason', 'summary']));
      expect(personal('contact.handed_off')).toEqual(['contextSummary']);
      expect(personal('promise.made')).toEqual(['text']);
      expect(personal('feedback.received')).toEqual(['verbatim']);
      expect(personal('policy.published')).toEqual([]);
    });

    it('shows personal fields as "x-personal-data": true in the JSON Schemas, and only those', () => {
      for (const file of generateJsonSchemaFiles()) {
        const json = JSON.parse(file.content) as { properties: { data: { properties: Record<string, unknown> } } };
        const type = file.fileName.split('.v')[0] as (typeof EVENT_TYPES)[number];
        const version = Number(/\.v(\d+)\./.exec(file.fileName)![1]);
        const flagged = Object.entries(json.properties.data.properties)
          .filter(([, property]) => (property as Record<string, unknown>)[PERSONAL_DATA] === true)
          .map(([name]) => name);
        const expected = personalFieldPaths(catalog[type].versions[version - 1]).map((p) => p.join('.'));
        expect({ file: file.fileName, flagged }).toEqual({ file: file.fileName, flagged: expected });
      }
    });
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
      'an impossible time with an offset',
      envelope('order.cancelled', { orderId: 'o', reason: 'r' }, { time: '2026-02-30T10:00:00+02:00' }),
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

  it.each([
    ['a wrong envelope and wrong data', { time: 'yesterday' }, { orderId: 'o' }, ['time', 'data.reason']],
    ['a wrong envelope and a version that does not exist', { schemaversion: 9, id: '' }, { orderId: 'o' }, ['id']],
    ['a wrong envelope and good data', { source: '' }, { orderId: 'o', reason: 'r' }, ['source']],
  ])('given %s, validation names the envelope and the data errors at once', (_case, attributes, data, paths) => {
    const raw = { ...envelope('order.cancelled', data), ...attributes };
    const result = validateEvent(raw);
    expect(result.ok ? [] : result.errors.map((e) => e.path).sort()).toEqual([...paths].sort());
  });

  it.each([
    ['2026-03-01T10:00:00+02:00', '2026-03-01T08:00:00Z'],
    ['2026-03-01T00:30:00.123456+05:30', '2026-02-28T19:00:00.123456Z'],
    ['2026-12-31T23:00:00-01:00', '2027-01-01T00:00:00Z'],
    ['2026-03-01T10:00:00-00:00', '2026-03-01T10:00:00Z'],
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z'],
    ['2026-03-01T10:00:00.5Z', '2026-03-01T10:00:00.5Z'],
  ])('given time %s (RFC 3339 allows an offset), it is accepted and stored in UTC as %s', (time, stored) => {
    const result = validateEvent(envelope('order.cancelled', { orderId: 'o', reason: 'r' }, { time }));
    expect(result.ok && result.event.time).toBe(stored);
  });

  it.each([
    ['a misspelt data field', { orderId: 'o', reason: 'r', reasn: 'r' }, {}, ['data.reasn']],
    [
      'an unknown field in an item of a list',
      { ...orderPlacedData('o'), items: [{ ...orderPlacedData('o').items[0], colour: 'red' }] },
      {},
      ['data.items.0.colour'],
    ],
    [
      'an extension attribute name with upper case and a dash',
      { orderId: 'o', reason: 'r' },
      { 'Tenant-Id': 't' },
      ['Tenant-Id'],
    ],
    ['an extension attribute holding an object', { orderId: 'o', reason: 'r' }, { tenant: { id: 1 } }, ['tenant']],
    [
      'an extension attribute with a control character',
      { orderId: 'o', reason: 'r' },
      { tenant: 'a\u0007b' },
      ['tenant'],
    ],
    ['binary data', { orderId: 'o', reason: 'r' }, { data_base64: 'AAEC' }, ['data_base64']],
    [
      'a bad extension and an unknown data field',
      { orderId: 'o', reason: 'r', x: 1 },
      { tenant: null },
      ['tenant', 'data.x'],
    ],
  ])('given %s, it is refused naming it (nothing is dropped silently)', (_case, data, attributes, paths) => {
    const type = 'items' in data ? 'order.placed' : 'order.cancelled';
    const result = validateEvent({ ...envelope(type, data), ...attributes });
    expect(result.ok ? [] : result.errors.map((e) => e.path).sort()).toEqual([...paths].sort());
    if (!result.ok) expect(result.errors[0].message).not.toBe('');
  });

  it('keeps extension attributes, in the canonical string form binary modes carry', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const result = validateEvent({
      ...envelope('order.cancelled', { orderId: 'o', reason: 'r' }),
      traceparent,
      tenant: 'acme',
      priority: 3,
      urgent: true,
      dataschema: 'https://example.com/s',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toMatchObject({ traceparent, tenant: 'acme', priority: '3', urgent: 'true' });
    expect(extensionAttributesOf(result.event)).toEqual({
      traceparent,
      tenant: 'acme',
      priority: '3',
      urgent: 'true',
      dataschema: 'https://example.com/s',
    });
    // Kept as they are stored: validating the stored event again gives it unchanged.
    const again = validateEvent(result.event);
    expect(again.ok && again.event).toEqual(result.event);
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
