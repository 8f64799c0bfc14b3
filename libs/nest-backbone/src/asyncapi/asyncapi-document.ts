import { z } from 'zod';
import { EVENT_TYPES, JourneyView, catalog, eventVersionSchema, type EventType } from '#schemas';

/**
 * The AsyncAPI 3 document of what the backbone publishes, generated from the zod catalog like the OpenAPI document:
 * the journey topic (CloudEvents Kafka binding: attributes as `ce_*` headers, `data` as the value, the journey id as
 * the key), the compacted topic of journey views, the SSE stream of a customer's view, and webhook deliveries. Pure:
 * the checked-in `docs/asyncapi.json` is this with the defaults, and each app serves it with its own topic names.
 */

export interface AsyncApiOptions {
  /** KAFKA_TOPIC */
  journeyTopic: string;
  /** VIEWS_TOPIC (its documented name when the app writes none) */
  viewsTopic: string;
  /** KAFKA_PARTITIONS */
  partitions: number;
}

export const ASYNCAPI_DEFAULTS: AsyncApiOptions = {
  journeyTopic: 'journey-events',
  viewsTopic: 'journey-views',
  partitions: 6,
};

/** AsyncAPI 3's schema object is JSON Schema draft 07 with extensions: the catalog's schemas in that dialect. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-7' });
  return json;
}

const text = (description: string) => ({ type: 'string', description });
const name = (type: EventType, version: number) => `${type.replace(/\W/g, '_')}_v${version}`;
const ref = (path: string) => ({ $ref: path });

/** The envelope's attributes as the Kafka binding carries them (`ce_<name>`), for one type and version. */
function kafkaHeaders(type: EventType, version: number) {
  return {
    type: 'object',
    required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_subject', 'ce_time', 'content-type'],
    properties: {
      ce_specversion: { type: 'string', const: '1.0' },
      ce_id: text('The event id, unique per source'),
      ce_source: text('The producing service'),
      ce_type: { type: 'string', const: type },
      ce_subject: text('The journey id: the customer id, or policy/<policyId> for policies'),
      ce_time: { type: 'string', format: 'date-time', description: 'When the fact happened, in UTC' },
      ce_schemaversion: { type: 'string', const: String(version), description: "The data's schema version" },
      ce_correlationid: text('Optional: the flow the event belongs to'),
      ce_causationid: text('Optional: the event that caused it'),
      ce_personaldatakey: text("Set by the backbone: the key the event's personal fields are sealed under"),
      'content-type': { type: 'string', const: 'application/json', description: 'datacontenttype, per the binding' },
      'journey-version': text("The event's 1-based place in its journey"),
      'journey-sequence': text("The event index's sequence number of the event"),
    },
    additionalProperties: {
      type: 'string',
      description: 'Other CloudEvents extension attributes, as ce_<name> headers, kept as the producer sent them',
    },
  };
}

const webhookHeaders = {
  type: 'object',
  required: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  properties: {
    'webhook-id': text('Stable across retries: the receiver drops a repeat'),
    'webhook-timestamp': text('Seconds since the epoch, when signed'),
    'webhook-signature': text("v1,<base64 HMAC-SHA256 of id.timestamp.body under the subscription's secret>"),
  },
};

/** A Standard Webhooks delivery: its headers, and the `type`, `timestamp` and `data` of its payload. */
function webhookMessage(name: string, type: object, data: object, summary?: string): Record<string, unknown> {
  return {
    name,
    ...(summary === undefined ? {} : { summary }),
    contentType: 'application/json',
    headers: webhookHeaders,
    payload: {
      type: 'object',
      required: ['type', 'timestamp', 'data'],
      properties: { type, timestamp: { type: 'string' }, data },
    },
  };
}

export function asyncApiDocument(options: AsyncApiOptions = ASYNCAPI_DEFAULTS): Record<string, unknown> {
  const journeyMessages: Record<string, object> = {};
  const components: Record<string, object> = {};
  // Structured events (a webhook's data) and the view, each once, referred to where they appear.
  const schemas: Record<string, object> = { JourneyView: schemaOf(JourneyView) };
  for (const type of EVENT_TYPES) {
    catalog[type].versions.forEach((data, i) => {
      const version = i + 1;
      components[name(type, version)] = {
        name: `${type} v${version}`,
        title: `${type} (schema version ${version})`,
        contentType: 'application/json',
        headers: kafkaHeaders(type, version),
        payload: schemaOf(data as z.ZodType, 'input'),
        bindings: {
          kafka: {
            key: text('The journey id (the event subject): one journey, one partition'),
            bindingVersion: '0.5.0',
          },
        },
      };
      journeyMessages[name(type, version)] = ref(`#/components/messages/${name(type, version)}`);
      schemas[`Event_${name(type, version)}`] = schemaOf(eventVersionSchema(type, version), 'input');
    });
  }
  const view = ref('#/components/schemas/JourneyView');
  components.journeyView = {
    name: 'journey view',
    contentType: 'application/json',
    payload: view,
    bindings: { kafka: { key: text('The customer id'), bindingVersion: '0.5.0' } },
  };
  components.journeyViewTombstone = {
    name: 'journey view erased',
    summary: 'A tombstone (null value): the customer was erased; compaction removes their view',
    payload: { type: 'null' },
    bindings: { kafka: { key: text('The customer id'), bindingVersion: '0.5.0' } },
  };
  components.streamJourney = {
    name: 'journey',
    summary: 'SSE `event: journey`, `id: <position>`, `data: <the view>`: the current view first, then each change',
    contentType: 'application/json',
    payload: view,
  };
  components.streamErased = {
    name: 'erased',
    summary: 'SSE `event: erased`: the customer was erased; the stream ends',
    contentType: 'application/json',
    payload: {
      type: 'object',
      required: ['code', 'customerId'],
      properties: { code: { type: 'string', const: 'erased' }, customerId: { type: 'string' } },
    },
  };
  const anyEvent = {
    oneOf: EVENT_TYPES.flatMap((t) =>
      catalog[t].versions.map((_, i) => ref(`#/components/schemas/Event_${name(t, i + 1)}`)),
    ),
  };
  components.webhookEvent = webhookMessage(
    'event delivery',
    { type: 'string', enum: [...EVENT_TYPES] },
    anyEvent,
    'An event of a subscribed type, as on the log (personal fields masked unless the subscription says so)',
  );
  components.webhookViewChanged = webhookMessage(
    'journey.view.changed',
    { type: 'string', const: 'journey.view.changed' },
    {
      type: 'object',
      required: ['customerId', 'position', 'view'],
      properties: { customerId: { type: 'string' }, position: { type: 'string' }, view },
    },
  );
  components.webhookViewErased = webhookMessage(
    'journey.view.erased',
    { type: 'string', const: 'journey.view.erased' },
    {
      type: 'object',
      required: ['customerId', 'position'],
      properties: { customerId: { type: 'string' }, position: { type: 'string' } },
    },
  );
  const messagesOf = (...names: string[]) =>
    Object.fromEntries(names.map((n) => [n, ref(`#/components/messages/${n}`)]));
  const operation = (action: 'send' | 'receive', channel: string, summary: string) => ({
    action,
    channel: ref(`#/channels/${channel}`),
    summary,
  });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'journey-backbone',
      version: '1.0.0',
      description:
        'What the backbone publishes: every journey event on one Kafka topic, the journey views on a compacted ' +
        "topic, a customer's view as Server-Sent Events, and webhook deliveries. Generated from the zod catalog.",
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: { host: 'localhost:9092', protocol: 'kafka', description: 'The brokers of KAFKA_BROKERS' },
      api: { host: 'localhost:3000', protocol: 'http', description: 'journey-api (or the embedded backbone)' },
    },
    channels: {
      journeyEvents: {
        address: options.journeyTopic,
        title: 'The journey log',
        description:
          'KAFKA_TOPIC: every journey event, CloudEvents binary mode, keyed by journey id (one journey is in order ' +
          'on its partition). Appended through POST /v1/events; read by projections, reactors and any consumer.',
        servers: [ref('#/servers/kafka')],
        messages: journeyMessages,
        bindings: { kafka: { topic: options.journeyTopic, partitions: options.partitions, bindingVersion: '0.5.0' } },
      },
      journeyViews: {
        address: options.viewsTopic,
        title: 'Journey views',
        description:
          'VIEWS_TOPIC (when set): the view of each customer as GET /v1/customers/{customerId}/journey answers it, ' +
          'keyed by customer id; compacted, so its last record per key is the current view; a tombstone on erasure.',
        servers: [ref('#/servers/kafka')],
        messages: messagesOf('journeyView', 'journeyViewTombstone'),
        bindings: {
          kafka: {
            topic: options.viewsTopic,
            topicConfiguration: { 'cleanup.policy': ['compact'] },
            bindingVersion: '0.5.0',
          },
        },
      },
      journeyStream: {
        address: '/v1/customers/{customerId}/journey/stream',
        title: "A customer's view as Server-Sent Events",
        description: 'Resumed with Last-Event-ID (the position of the last message): nothing is missed in between.',
        servers: [ref('#/servers/api')],
        parameters: { customerId: { description: 'The customer id' } },
        messages: messagesOf('streamJourney', 'streamErased'),
      },
      webhooks: {
        address: null,
        title: 'Webhook deliveries (Standard Webhooks)',
        description:
          "POSTed to each subscription's URL (POST /v1/webhooks or WEBHOOKS_FILE), signed, at least once, in log " +
          'order; a 2xx answer is a delivery, anything else is retried with backoff, then parked.',
        messages: messagesOf('webhookEvent', 'webhookViewChanged', 'webhookViewErased'),
      },
    },
    operations: {
      publishJourneyEvents: operation('send', 'journeyEvents', 'The backbone appends each accepted event'),
      publishJourneyViews: operation('send', 'journeyViews', 'The projector writes each changed view'),
      streamJourney: operation('send', 'journeyStream', "journey-api streams a customer's view as it changes"),
      deliverWebhooks: operation('send', 'webhooks', 'The projector delivers to each subscription'),
    },
    components: { schemas, messages: components },
  };
}
