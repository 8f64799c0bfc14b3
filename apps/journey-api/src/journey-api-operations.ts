import { z } from 'zod';
import {
  CHANNELS,
  CaseView,
  EVENT_TYPES,
  IDENTITY_KINDS,
  JourneyView,
  OrderView,
  WEBHOOK_VIEWS,
  WebhookSubscriptionInput,
} from '#schemas';
import { jsonContent, jsonSchemaOf, schemaRef, type OperationSpec, type ParameterSpec } from '#nest-backbone';

/** What each journey-api route adds to the OpenAPI document (paths, path parameters and security are the routes'). */

const readParameters: ParameterSpec[] = [
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
const read = (summary: string, view: string, schema: object): OperationSpec => ({
  summary,
  parameters: readParameters,
  responses: { '200': { description: 'OK', headers: positionHeader, content: jsonContent(schemaRef(view)) } },
  errors: [400, 404, 410, 503],
  schemas: { [view]: schema },
});

export const READ_JOURNEY = read('The unified journey view of a customer', 'JourneyView', jsonSchemaOf(JourneyView));
export const READ_ORDER = read(
  'One order, with its customer id',
  'OrderView',
  jsonSchemaOf(OrderView.extend({ customerId: z.string() })),
);
export const READ_CASE = read(
  'One support case, with its customer id',
  'CaseView',
  jsonSchemaOf(CaseView.extend({ customerId: z.string() })),
);

export const STREAM_JOURNEY: OperationSpec = {
  summary: 'Server-Sent Events: one `journey` message per change of the view',
  parameters: [
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
      description: 'text/event-stream: `event: journey`, `id: <position>`, `data: <JourneyView>`',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
  },
  errors: [400, 410, 503],
};

export const READ_IDENTITY: OperationSpec = {
  summary: 'Which customer an email, phone or account id belongs to',
  parameters: [{ name: 'kind', in: 'path', schema: { type: 'string', enum: [...IDENTITY_KINDS] } }],
  responses: {
    '200': {
      description: 'OK',
      headers: positionHeader,
      content: jsonContent({
        type: 'object',
        required: ['customerId'],
        properties: { customerId: { type: 'string' } },
      }),
    },
  },
  errors: [400, 404],
};

export const READ_ACCESS_LOG: OperationSpec = {
  summary: "Who read the customer's data, newest first (at most 1000 records)",
  parameters: [
    { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
    { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
  ],
  responses: { '200': { description: 'OK', content: jsonContent(schemaRef('AccessLog')) } },
  errors: [400, 503],
  schemas: {
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
              channel: { type: ['string', 'null'] },
              purpose: { type: ['string', 'null'], description: 'The Journey-Purpose header' },
              position: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
  },
};

export const ERASE_CUSTOMER: OperationSpec = {
  summary:
    "Erases the customer's personal data: keys destroyed (the log's copies become noise), views and identity " +
    'entries dropped, `customer.erased` appended; reads then answer 410. Idempotent.',
  requestBody: {
    required: true,
    content: jsonContent({
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
      content: jsonContent({
        type: 'object',
        required: ['customerId', 'erasedAt', 'position'],
        properties: {
          customerId: { type: 'string' },
          erasedAt: { type: 'string', format: 'date-time' },
          position: { type: 'string', description: 'Position of the customer.erased event' },
        },
      }),
    },
  },
  errors: [400, 404, 413, 503],
};

const WEBHOOK_SUBSCRIPTION = {
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
};
const webhookSchemas = { WebhookSubscription: WEBHOOK_SUBSCRIPTION };

export const CREATE_WEBHOOK: OperationSpec = {
  summary:
    'Subscribes a URL to event types and/or journey view changes, delivered as Standard Webhooks (signed with the ' +
    'secret answered here, once) from the next event appended on; retried, then parked.',
  requestBody: { required: true, content: jsonContent(schemaRef('WebhookSubscriptionInput')) },
  responses: {
    '201': {
      description: 'Subscribed; `secret` is shown this once',
      content: jsonContent({
        allOf: [
          schemaRef('WebhookSubscription'),
          { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } },
        ],
      }),
    },
  },
  errors: [400, 409, 413],
  schemas: { ...webhookSchemas, WebhookSubscriptionInput: jsonSchemaOf(WebhookSubscriptionInput, 'input') },
};

export const LIST_WEBHOOKS: OperationSpec = {
  summary: 'The webhook subscriptions, from WEBHOOKS_FILE and the API (without their secrets)',
  responses: {
    '200': {
      description: 'OK',
      content: jsonContent({
        type: 'object',
        required: ['subscriptions'],
        properties: { subscriptions: { type: 'array', items: schemaRef('WebhookSubscription') } },
      }),
    },
  },
  schemas: webhookSchemas,
};

export const READ_WEBHOOK: OperationSpec = {
  summary: 'One webhook subscription (without its secret)',
  responses: { '200': { description: 'OK', content: jsonContent(schemaRef('WebhookSubscription')) } },
  errors: [404],
  schemas: webhookSchemas,
};

export const DELETE_WEBHOOK: OperationSpec = {
  summary: 'Ends a subscription made over the API (one of WEBHOOKS_FILE is changed there: 400)',
  responses: { '204': { description: 'Deleted' } },
  errors: [400, 404],
};
