import { z } from 'zod';
import {
  CHANNELS,
  CaseView,
  ErrorBody,
  EVENT_TYPES,
  EnvelopeSchema,
  IDENTITY_KINDS,
  JourneyView,
  OrderView,
  WEBHOOK_VIEWS,
  WebhookSubscriptionInput,
  catalog,
} from '#schemas';

const schemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'openapi-3.0' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [String(code), { description: `error ${code}`, content: json(ref('ErrorBody')) }]),
  );

const readParameters = [
  {
    name: 'channel',
    in: 'query',
    schema: { type: 'string', enum: [...CHANNELS] },
    description: "Adds that channel's rendered messages; nothing else changes.",
  },
  {
    name: 'minPosition',
    in: 'query',
    schema: { type: 'string' },
    description: 'Wait until the view has reached this position token (read-your-writes).',
  },
  {
    name: 'waitMs',
    in: 'query',
    schema: { type: 'integer', minimum: 0, maximum: 10000, default: 2000 },
    description: 'How long to wait for minPosition.',
  },
  {
    name: 'asOf',
    in: 'query',
    schema: { type: 'string' },
    description:
      'The view as it was at that time, rebuilt from the log: an ISO-8601 time (any offset) or a date (its start, ' +
      'UTC), as the CLI takes it.',
  },
];
const positionHeader = {
  'Journey-Position': { schema: { type: 'string' }, description: 'Log position the answer reflects.' },
};
const read = (summary: string, idName: string, body: object) => ({
  get: {
    summary,
    parameters: [{ name: idName, in: 'path', required: true, schema: { type: 'string' } }, ...readParameters],
    responses: {
      '200': { description: 'OK', headers: positionHeader, content: json(body) },
      ...errors(400, 404, 410, 503),
    },
  },
});

/** The OpenAPI 3.0 document of the whole HTTP API, its schemas generated from the zod catalog. */
export function openApiDocument(): object {
  const eventSchemas = Object.fromEntries(
    EVENT_TYPES.map((type) => {
      const versions = catalog[type].versions;
      const schema = EnvelopeSchema.extend({ type: z.literal(type), data: versions[versions.length - 1] as z.ZodType });
      return [`Event_${type.replace(/\W/g, '_')}`, schemaOf(schema)];
    }),
  );
  const anyEvent = { oneOf: Object.keys(eventSchemas).map(ref) };
  return {
    openapi: '3.0.3',
    info: {
      title: 'journey-backbone',
      version: '1.0.0',
      description: 'One shared log of journey events; every channel reads the same truth.',
    },
    paths: {
      '/v1/events': {
        post: {
          summary:
            'Append one CloudEvent or an array of them, atomically (each producer accepts the types its domain ' +
            'owns); one event may also come in HTTP binary mode (ce-* headers, the data as the body).',
          parameters: [
            {
              name: 'expectedVersion',
              in: 'query',
              schema: { type: 'integer', minimum: 0 },
              description: 'Journey version expected before the append (single-journey batch).',
            },
          ],
          requestBody: {
            required: true,
            content: json({ oneOf: [anyEvent, { type: 'array', items: anyEvent, maxItems: 500 }] }),
          },
          responses: {
            '201': {
              description: 'Appended',
              content: json({
                type: 'object',
                properties: { accepted: { type: 'integer' }, position: { type: 'string' } },
              }),
            },
            '200': {
              description:
                'Every event (source and id) had been seen before with the same content: nothing appended, ' +
                'same position',
            },
            ...errors(400, 403, 408, 409, 413, 422, 431),
          },
        },
      },
      '/v1/customers/{customerId}/journey': read(
        'The unified journey view of a customer',
        'customerId',
        ref('JourneyView'),
      ),
      '/v1/customers/{customerId}/journey/stream': {
        get: {
          summary: 'Server-Sent Events: one `journey` message per change of the view',
          parameters: [
            { name: 'customerId', in: 'path', required: true, schema: { type: 'string' } },
            readParameters[0],
            {
              name: 'Last-Event-ID',
              in: 'header',
              schema: { type: 'string' },
              description: 'The id of the last message received: the view is sent again only if it changed since.',
            },
            {
              name: 'lastEventId',
              in: 'query',
              schema: { type: 'string' },
              description: 'The same, for clients that cannot set headers.',
            },
          ],
          responses: {
            '200': {
              description: 'text/event-stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(400, 410, 503),
          },
        },
      },
      '/v1/customers/{customerId}/access-log': {
        get: {
          summary: "Who read the customer's data, newest first (at most 1000 records)",
          parameters: [
            { name: 'customerId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
          ],
          responses: {
            '200': { description: 'OK', content: { 'application/json': { schema: ref('AccessLog') } } },
            ...errors(400, 503),
          },
        },
      },
      '/v1/customers/{customerId}/erasure': {
        post: {
          summary:
            "Erases the customer's personal data: keys destroyed (the log's copies become noise), views and identity " +
            'entries dropped, `customer.erased` appended; reads then answer 410. Idempotent.',
          parameters: [{ name: 'customerId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['reason'],
              properties: {
                reason: {
                  type: 'string',
                  minLength: 1,
                  maxLength: 500,
                  description: "The ground (a law's article, a ticket id): never the person's data",
                },
              },
            }),
          },
          responses: {
            '202': {
              description: 'Erased (the same answer when asked again)',
              content: json({
                type: 'object',
                required: ['customerId', 'erasedAt', 'position'],
                properties: {
                  customerId: { type: 'string' },
                  erasedAt: { type: 'string', format: 'date-time' },
                  position: { type: 'string', description: 'Position of the customer.erased event' },
                },
              }),
            },
            ...errors(400, 404, 503),
          },
        },
      },
      '/v1/orders/{orderId}': read('One order, with its customer id', 'orderId', ref('OrderView')),
      '/v1/cases/{caseId}': read('One support case, with its customer id', 'caseId', ref('CaseView')),
      '/v1/identities/{kind}/{value}': {
        get: {
          summary: 'Which customer an email, phone or account id belongs to',
          parameters: [
            {
              name: 'kind',
              in: 'path',
              required: true,
              schema: { type: 'string', enum: [...IDENTITY_KINDS] },
            },
            { name: 'value', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'OK',
              content: json({ type: 'object', properties: { customerId: { type: 'string' } } }),
            },
            ...errors(400, 404),
          },
        },
      },
      '/v1/webhooks': {
        post: {
          summary:
            'Subscribes a URL to event types and/or journey view changes, delivered as Standard Webhooks ' +
            '(signed with ' +
            'the secret answered here, once) from the next event appended on; retried, then parked.',
          requestBody: { required: true, content: json(ref('WebhookSubscriptionInput')) },
          responses: {
            '201': {
              description: 'Subscribed; `secret` is shown this once',
              content: json({
                allOf: [
                  ref('WebhookSubscription'),
                  { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } },
                ],
              }),
            },
            ...errors(400, 409, 413),
          },
        },
        get: {
          summary: 'The webhook subscriptions, from WEBHOOKS_FILE and the API (without their secrets)',
          responses: {
            '200': {
              description: 'OK',
              content: json({
                type: 'object',
                required: ['subscriptions'],
                properties: { subscriptions: { type: 'array', items: ref('WebhookSubscription') } },
              }),
            },
          },
        },
      },
      '/v1/webhooks/{id}': {
        get: {
          summary: 'One webhook subscription (without its secret)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'OK', content: json(ref('WebhookSubscription')) }, ...errors(404) },
        },
        delete: {
          summary: 'Ends a subscription made over the API (one of WEBHOOKS_FILE is changed there: 400)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Deleted' }, ...errors(400, 404) },
        },
      },
      '/health': {
        get: {
          summary: 'Health, log head, projection positions, lag and parked events',
          responses: { '200': { description: 'OK' } },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain' } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OK' } } } },
    },
    components: {
      schemas: {
        JourneyView: schemaOf(JourneyView),
        OrderView: schemaOf(OrderView.extend({ customerId: z.string() })),
        CaseView: schemaOf(CaseView.extend({ customerId: z.string() })),
        ErrorBody: schemaOf(ErrorBody),
        WebhookSubscriptionInput: z.toJSONSchema(WebhookSubscriptionInput, {
          io: 'input',
          unrepresentable: 'any',
          target: 'openapi-3.0',
        }),
        WebhookSubscription: {
          type: 'object',
          required: ['id', 'url', 'personalData', 'retryForMs', 'retryDelayMs', 'timeoutMs', 'createdAt', 'origin'],
          properties: {
            id: { type: 'string' },
            url: { type: 'string', format: 'uri' },
            events: { type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] } },
            views: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_VIEWS] } },
            personalData: { type: 'boolean' },
            retryForMs: { type: 'integer' },
            retryDelayMs: { type: 'integer' },
            timeoutMs: { type: 'integer' },
            description: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            origin: { type: 'string', enum: ['api', 'file'] },
          },
        },
        AccessLog: {
          type: 'object',
          required: ['customerId', 'entries'],
          properties: {
            customerId: { type: 'string' },
            entries: {
              type: 'array',
              items: {
                type: 'object',
                required: ['at', 'credential', 'customerId', 'route', 'channel', 'purpose', 'position'],
                properties: {
                  at: { type: 'string', format: 'date-time' },
                  credential: { type: 'string', description: 'The key id, or the JWT sub' },
                  customerId: { type: 'string' },
                  route: { type: 'string' },
                  channel: { type: 'string', nullable: true },
                  purpose: { type: 'string', nullable: true, description: 'The Journey-Purpose header' },
                  position: { type: 'string', nullable: true },
                },
              },
            },
          },
        },
        ...eventSchemas,
      },
    },
  };
}
