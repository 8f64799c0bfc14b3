import { CloudEvent, Kafka } from 'cloudevents';
import { journeyEvent } from '#testing';
import { fromKafkaRecord, toKafkaRecord } from './cloudevent-kafka-binding';

/** Headers as kafkajs hands them over: Buffers. */
const asFetched = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));

describe('CloudEvents Kafka binding', () => {
  it.each([
    [
      'a plain event',
      journeyEvent('feedback.received', { score: 3, verbatim: 'café ☕ "quoted"' }, { time: '2026-03-01T10:00:00Z' }),
    ],
    [
      'an event with a schema version',
      journeyEvent('feedback.received', { score: 1 }, { schemaversion: 1, subject: 'cust-ü' }),
    ],
  ])(
    'given %s, when written and read back, then every attribute is as sent (time not rewritten) with its ' +
      'journey version',
    (_, event) => {
      const record = toKafkaRecord(event, 7);
      expect(record.key).toBe(event.subject);
      expect(record.headers.ce_time).toBe(event.time);
      // The binding's content type, and no attribute header beside it.
      expect(record.headers['content-type']).toBe('application/json');
      expect(record.headers).not.toHaveProperty('ce_datacontenttype');
      const back = fromKafkaRecord(asFetched(record.headers), Buffer.from(record.value));
      expect(back.journeyVersion).toBe(7);
      expect(back.event).toEqual(event);
      expect(JSON.stringify(back.event.data)).toBe(JSON.stringify(event.data));
    },
  );

  it('given a record written before (ce_datacontenttype beside content-type), when read, then the same', () => {
    const event = journeyEvent('feedback.received', { score: 4 });
    const record = toKafkaRecord(event, 2);
    const older = { ...record.headers, ce_datacontenttype: 'application/json' };
    expect(fromKafkaRecord(asFetched(older), Buffer.from(record.value)).event).toEqual(event);
  });

  it('given a record, when the cloudevents SDK decodes it, then it has the event with its content type', () => {
    const event = journeyEvent('feedback.received', { score: 4 }, { time: '2026-03-01T10:00:00Z' });
    const record = toKafkaRecord(event, 2);
    const decoded = Kafka.toEvent({
      key: record.key,
      value: record.value,
      headers: record.headers,
      body: record.value,
    } as never) as CloudEvent<unknown>;
    expect(decoded).toMatchObject({ id: event.id, type: event.type, datacontenttype: 'application/json' });
    expect(decoded.data).toEqual(event.data);
  });

  it(
    'given an extension attribute and a header of another kind, when read, then the attribute is kept and the ' +
      'other header ignored',
    () => {
      const record = toKafkaRecord(journeyEvent('feedback.received', { score: 2 }), 1);
      const back = fromKafkaRecord(
        asFetched({ ...record.headers, ce_traceparent: '00-abc-def-01', 'x-other': 'ignored' }),
        Buffer.from(record.value),
      );
      expect(back.event).toMatchObject({ traceparent: '00-abc-def-01' });
      expect(back.event).not.toHaveProperty('x-other');
    },
  );
});
