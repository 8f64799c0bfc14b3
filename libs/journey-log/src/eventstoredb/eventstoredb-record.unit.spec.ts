import { UnavailableError, WrongExpectedVersionError } from '@eventstore/db-client';
import { extensionAttributesOf, withExtensionAttributes, type JourneyEvent } from '#schemas';
import {
  claimHolder,
  claimStreamName,
  eventStoreId,
  expectedRevision,
  fromRecordedEvent,
  journeyIdOf,
  journeyStreamFilter,
  nameBasedUuid,
  streamName,
  toBackboneError,
  toEventData,
  versionOf,
} from './eventstoredb-record';

const captured = {
  specversion: '1.0',
  id: 'evt-7',
  source: '/payments',
  type: 'payment.captured',
  subject: 'cust-42',
  time: '2026-03-01T10:01:00Z',
  datacontenttype: 'application/json',
  schemaversion: 1,
  correlationid: 'corr-7',
  causationid: 'evt-6',
  data: { orderId: 'o-1', paymentId: 'p-1', amount: 12855, currency: 'EUR', method: 'card' },
} as JourneyEvent;

describe('EventStoreDB mapping: event ids', () => {
  it(
    'given the RFC 4122 example (DNS namespace, www.example.com), when a v5 UUID is made, then it is the ' +
      'published one',
    () => {
      expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
        '2ed6657d-e927-568b-95e1-2665a8aea6a2',
      );
    },
  );

  it(
    'given a journey event key, when mapped, then the UUID is version 5, the same every time, and differs per ' +
      'id and per source',
    () => {
      const id = eventStoreId({ source: '/a', id: 'evt-1' });
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(eventStoreId({ source: '/a', id: 'evt-1' })).toBe(id);
      expect(eventStoreId({ source: '/a', id: 'evt-2' })).not.toBe(id);
      expect(eventStoreId({ source: '/b', id: 'evt-1' })).not.toBe(id);
    },
  );

  it('names claim streams outside the journey streams, and reads who holds a claim from its last event', () => {
    expect(claimStreamName('journey-', 'order:o-1')).toBe('claim.journey-order:o-1');
    expect(claimStreamName('journey-', 'order:o-1').startsWith('journey-')).toBe(false);
    expect(claimHolder(undefined)).toBeUndefined();
    expect(claimHolder({ type: 'claimed', data: { journeyId: 'cust-1' } })).toBe('cust-1');
    expect(claimHolder({ type: 'released', data: { journeyId: 'cust-1' } })).toBeUndefined();
  });
});

describe('EventStoreDB mapping: envelope to event data and metadata, and back', () => {
  it(
    "given a journey event, when written, then type and data are the event's and every other CloudEvents " +
      'attribute is in the metadata',
    () => {
      const data = toEventData(captured);
      expect(data).toEqual({
        id: eventStoreId(captured),
        type: 'payment.captured',
        data: captured.data,
        metadata: {
          specversion: '1.0',
          id: 'evt-7',
          source: '/payments',
          type: 'payment.captured',
          subject: 'cust-42',
          time: '2026-03-01T10:01:00Z',
          datacontenttype: 'application/json',
          schemaversion: 1,
          correlationid: 'corr-7',
          causationid: 'evt-6',
        },
      });
      expect(data.metadata).not.toHaveProperty('data');
    },
  );

  it(
    'given a recorded event written that way, when read, then the envelope is the original, its version is ' +
      'revision + 1 and its position a token',
    () => {
      const data = toEventData(captured);
      const decoded = fromRecordedEvent({
        streamId: 'journey-cust-42',
        revision: 6n,
        type: data.type,
        data: data.data,
        metadata: data.metadata,
        position: { commit: 1234n, prepare: 1200n },
      });
      expect(decoded.event).toEqual(captured);
      expect(JSON.stringify(decoded.event)).toBe(JSON.stringify(captured));
      expect(decoded.journeyVersion).toBe(7);
      expect(decoded.position).toBe('e.1234.1200');
    },
  );

  it(
    'given a recorded event without a position (old server: absent, or zeros on the wire), when read, then ' +
      'its position is null',
    () => {
      const data = toEventData(captured);
      expect(
        fromRecordedEvent({ streamId: 's', revision: 0n, type: data.type, data: data.data, metadata: data.metadata })
          .position,
      ).toBeNull();
      expect(
        fromRecordedEvent({
          streamId: 's',
          revision: 0n,
          type: data.type,
          data: data.data,
          metadata: data.metadata,
          position: { commit: 0n, prepare: 0n },
        }).position,
      ).toBeNull();
    },
  );

  it.each([
    ['no metadata', undefined],
    ['null metadata', null],
    ['an array', [1, 2]],
    ['binary metadata', new Uint8Array([1, 2])],
    ['a string', 'text'],
  ])('given an event written around the backbone (%s), when read, then it is refused', (_what, metadata) => {
    expect(() => fromRecordedEvent({ streamId: 'journey-x', revision: 0n, type: 't', data: {}, metadata })).toThrow(
      /no CloudEvents metadata/,
    );
  });
});

describe('EventStoreDB mapping: streams and the subscription filter', () => {
  it.each([
    ['journey-', 'cust-42', 'journey-cust-42'],
    ['journey-', 'policy/returns', 'journey-policy/returns'],
    ['jt123-', 'c1', 'jt123-c1'],
  ])('given prefix %s and journey %s, when named, then the stream is %s and maps back', (prefix, journeyId, stream) => {
    expect(streamName(prefix, journeyId)).toBe(stream);
    expect(journeyIdOf(prefix, stream)).toBe(journeyId);
  });

  it.each(['$stats-127.0.0.1:2113', '$et-order.placed', 'orders-1', 'jt123-c1'])(
    'given stream %s of someone else, when mapped with prefix journey-, then it is no journey',
    (stream) => {
      expect(journeyIdOf('journey-', stream)).toBeNull();
    },
  );

  it('given a prefix, when the $all filter is built, then it selects stream names by that prefix only', () => {
    expect(journeyStreamFilter('journey-')).toMatchObject({ filterOn: 'streamName', prefixes: ['journey-'] });
  });
});

describe('EventStoreDB mapping: journey versions and stream revisions', () => {
  it.each([
    [0, 'no_stream'],
    [1, 0n],
    [42, 41n],
  ])('given a journey at version %s, when appending, then the expected revision is %s', (version, revision) => {
    expect(expectedRevision(version)).toBe(revision);
  });

  it.each([-1, 1.5, Number.NaN])('given version %s, when mapped, then it is refused', (version) => {
    expect(() => expectedRevision(version)).toThrow(RangeError);
  });

  it.each([
    [undefined, 0],
    [0n, 1],
    [41n, 42],
  ])('given last revision %s, when asked the version, then it is %s', (revision, version) => {
    expect(versionOf(revision)).toBe(version);
  });
});

describe('EventStoreDB mapping: errors', () => {
  it(
    "given the client's wrong-expected-version error, when mapped, then it is the port's typed conflict with " +
      'both versions',
    () => {
      const error = new WrongExpectedVersionError(undefined, { streamName: 'journey-c1', expected: 0n, current: 2n });
      expect(toBackboneError(error, 'c1', 1)).toMatchObject({
        code: 'version_conflict',
        retriable: true,
        journeyId: 'c1',
        expected: 1,
        actual: 3,
      });
    },
  );

  it(
    'given a wrong-expected-version error on a stream that does not exist, when mapped, then the actual ' +
      'version is 0',
    () => {
      const error = new WrongExpectedVersionError(undefined, {
        streamName: 'journey-c1',
        expected: 4n,
        current: 'no_stream',
      });
      expect(toBackboneError(error, 'c1', 5)).toMatchObject({ code: 'version_conflict', expected: 5, actual: 0 });
    },
  );

  it('given the server is unreachable, when mapped, then the log is unavailable and the error retriable', () => {
    expect(toBackboneError(new UnavailableError(), 'c1', 0)).toMatchObject({
      code: 'log_unavailable',
      retriable: true,
    });
    expect(toBackboneError(new Error('socket hang up'), 'c1', 0)).toMatchObject({
      code: 'log_unavailable',
      retriable: true,
    });
  });
});

describe('EventStoreDB mapping: personal data', () => {
  // An event as the personal-data layer hands it to the adapter: the key named in the extension, the value sealed.
  const sealed = {
    specversion: '1.0',
    id: 'evt-8',
    source: '/contact',
    type: 'contact.opened',
    subject: 'cust-42',
    time: '2026-03-01T10:02:00Z',
    schemaversion: 1,
    personaldatakey: 'pdk-7f3a',
    data: {
      caseId: 'case-1',
      contactId: 'ct-1',
      channel: 'chat',
      reason: 'pd1.q83Fj1Qh1kPZrN3oV1j3O4bYc2x7-9mJdQ',
      tags: ['confusion'],
    },
  } as JourneyEvent;

  it('given a sealed event, when mapped, then the key is in the metadata and the data holds the sealed bytes', () => {
    const mapped = toEventData(sealed);
    expect(mapped.metadata).toMatchObject({ personaldatakey: 'pdk-7f3a', subject: 'cust-42' });
    expect(mapped.data).toEqual(sealed.data);
    expect(JSON.stringify(mapped)).not.toMatch(/"reason":"[^p]/);
  });

  it('given the recorded event, when read back, then the extension and the sealed value come back as written', () => {
    const mapped = toEventData(sealed);
    const recorded = {
      streamId: 'journey-cust-42',
      revision: 0n,
      type: mapped.type,
      data: mapped.data,
      metadata: mapped.metadata,
      position: { commit: 10n, prepare: 10n },
    };
    expect(fromRecordedEvent(recorded).event).toEqual(sealed);
  });

  it('given extension attributes, when written and read back, then they are in the metadata and come back', () => {
    const traced = withExtensionAttributes(sealed, {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tenant: 'acme',
    });
    const mapped = toEventData(traced);
    expect(mapped.metadata).toMatchObject({ tenant: 'acme', traceparent: expect.stringMatching(/^00-/) });
    const recorded = { streamId: 'journey-cust-42', revision: 0n, ...mapped, position: { commit: 1n, prepare: 1n } };
    expect(extensionAttributesOf(fromRecordedEvent(recorded).event)).toEqual(extensionAttributesOf(traced));
    expect(fromRecordedEvent(recorded).event).toEqual(traced);
  });

  it('given the time the server wrote it, when read back, then it is the record time (for append to visible)', () => {
    const mapped = toEventData(sealed);
    const created = new Date('2026-03-01T10:02:00.250Z');
    const recorded = { streamId: 's', revision: 0n, ...mapped, position: { commit: 1n, prepare: 1n }, created };
    expect(fromRecordedEvent(recorded).recordedAt).toBe(created.getTime());
    expect(fromRecordedEvent({ ...recorded, created: undefined }).recordedAt).toBeUndefined();
  });
});
