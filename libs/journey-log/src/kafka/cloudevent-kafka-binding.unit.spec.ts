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
      const back = fromKafkaRecord(asFetched(record.headers), Buffer.from(record.value));
      expect(back.journeyVersion).toBe(7);
      expect(back.event).toEqual(event);
      expect(JSON.stringify(back.event.data)).toBe(JSON.stringify(event.data));
    },
  );

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
