import { CloudEvent, HTTP } from 'cloudevents';
import { fromBinaryMode } from './cloudevents-binary-mode';

describe('CloudEvents HTTP binary mode', () => {
  it('given what the SDK writes in binary mode, then it is the structured event, schemaversion a number', () => {
    const sent = new CloudEvent({
      id: 'bin-1',
      source: '/sdk',
      type: 'feedback.received',
      subject: 'cust-1',
      time: '2026-03-01T10:00:00Z',
      datacontenttype: 'application/json',
      schemaversion: 1,
      correlationid: 'corr-1',
      data: { score: 4, verbatim: 'café ☕' },
    });
    const message = HTTP.binary(sent);
    const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const body: unknown = JSON.parse(String(message.body));
    expect(fromBinaryMode(headers, body)).toEqual({
      specversion: '1.0',
      id: 'bin-1',
      source: '/sdk',
      type: 'feedback.received',
      subject: 'cust-1',
      time: '2026-03-01T10:00:00.000Z',
      schemaversion: 1,
      correlationid: 'corr-1',
      datacontenttype: 'application/json',
      data: { score: 4, verbatim: 'café ☕' },
    });
  });

  it('given percent-encoded header values, then they are decoded; given no ce-specversion, then not binary', () => {
    expect(fromBinaryMode({ 'ce-specversion': '1.0', 'ce-subject': 'caf%C3%A9' }, {})).toMatchObject({
      subject: 'café',
    });
    expect(fromBinaryMode({ 'ce-specversion': '1.0', 'ce-subject': '100%' }, {})).toMatchObject({ subject: '100%' });
    expect(fromBinaryMode({ 'content-type': 'application/json' }, { id: 'x' })).toBeNull();
    const structured = { 'content-type': 'application/cloudevents+json', 'ce-specversion': '1.0' };
    expect(fromBinaryMode(structured, { id: 'x' })).toBeNull();
  });
});
