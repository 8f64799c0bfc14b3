import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { EVENT_TYPES, catalog } from '#schemas';
import { ASYNCAPI_DEFAULTS, asyncApiDocument } from './asyncapi-document';

const CHECKED_IN = join(__dirname, '../../../../docs/asyncapi.json');
/** Error diagnostics only (severity 0, DiagnosticSeverity.Error): hints and warnings are style. */
const errorsOf = async (document: object) =>
  (await new Parser().parse(JSON.stringify(document))).diagnostics
    .filter((d) => Number(d.severity) === 0)
    .map((d) => `${d.path.join('.')}: ${d.message}`);

describe('the AsyncAPI 3 document, generated from the catalog', () => {
  it('is valid for the AsyncAPI parser (@asyncapi/parser), and the parser finds every message', async () => {
    const document = asyncApiDocument();
    expect(await errorsOf(document)).toEqual([]);
    const parsed = (await new Parser().parse(JSON.stringify(document))).document!;
    const journey = parsed.channels().get('journeyEvents')!;
    expect(journey.address()).toBe('journey-events');
    const versions = EVENT_TYPES.reduce((n, t) => n + catalog[t].versions.length, 0);
    expect(journey.messages().length).toBe(versions);
    const delayedV1 = journey.messages().get('shipment_delayed_v1')!;
    expect(delayedV1.headers()!.properties()!.ce_schemaversion.const()).toBe('1');
    expect(Object.keys(delayedV1.payload()!.properties()!)).not.toContain('reasonCode');
    expect(delayedV1.bindings().get('kafka')!.value()).toMatchObject({ key: { type: 'string' } });
    expect(parsed.channels().get('journeyViews')!.messages().length).toBe(2);
    expect(parsed.channels().get('journeyStream')!.messages().length).toBe(2);
    expect(parsed.operations().length).toBe(4);
  });

  it('refuses a broken document (the check above can fail)', async () => {
    const broken = asyncApiDocument() as { channels: Record<string, { messages: object }> };
    broken.channels.journeyEvents.messages = { wrong: { $ref: '#/components/messages/nope' } };
    expect((await errorsOf(broken)).length).toBeGreaterThan(0);
  });

  it('names the configured topics', () => {
    const document = asyncApiDocument({ journeyTopic: 'acme-events', viewsTopic: 'acme-views', partitions: 12 }) as {
      channels: Record<string, { address: string; bindings?: { kafka: { partitions?: number } } }>;
    };
    expect(document.channels.journeyEvents.address).toBe('acme-events');
    expect(document.channels.journeyEvents.bindings!.kafka.partitions).toBe(12);
    expect(document.channels.journeyViews.address).toBe('acme-views');
  });

  it('is checked in as docs/asyncapi.json, identical to the generated one (run `npm run schemas:generate`)', () => {
    expect(JSON.parse(readFileSync(CHECKED_IN, 'utf8'))).toEqual(asyncApiDocument(ASYNCAPI_DEFAULTS));
  });
});
