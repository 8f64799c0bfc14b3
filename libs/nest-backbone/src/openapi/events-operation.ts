import { EVENT_TYPES, catalog, eventVersionSchema, extensionAttributesJsonSchema } from '#schemas';
import { jsonContent, jsonSchemaOf, schemaRef, type OperationSpec } from './openapi-document';

const componentName = (type: string) => `Event_${type.replace(/\W/g, '_')}`;

/**
 * Every version the server accepts of every type, not only the newest: a v1 producer validates against the document
 * too. A type of several versions is their `oneOf` (told apart by `schemaversion`); every event is the `oneOf` of the
 * types.
 */
function eventSchemas(): Record<string, object> {
  const schemas: Record<string, object> = {};
  for (const type of EVENT_TYPES) {
    const name = componentName(type);
    const versions = catalog[type].versions.map((_, i) => `${name}_v${i + 1}`);
    versions.forEach((versionName, i) => {
      schemas[versionName] = {
        ...jsonSchemaOf(eventVersionSchema(type, i + 1), 'input'),
        ...extensionAttributesJsonSchema(),
      };
    });
    schemas[name] = versions.length === 1 ? schemaRef(versions[0]) : { oneOf: versions.map(schemaRef) };
  }
  return schemas;
}

const anyEvent = { oneOf: EVENT_TYPES.map((type) => schemaRef(componentName(type))) };

export const APPEND_EVENTS: OperationSpec = {
  summary:
    'Append one CloudEvent or an array of them, atomically (each producer accepts the types its domain owns); one ' +
    'event may also come in HTTP binary mode (ce-* headers, the data as the body).',
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
    content: jsonContent({
      oneOf: [
        anyEvent,
        { type: 'array', items: anyEvent, minItems: 1, description: 'At most MAX_BATCH_EVENTS (500 by default)' },
      ],
    }),
  },
  responses: {
    '201': {
      description: 'Appended',
      headers: { 'Journey-Position': { schema: { type: 'string' }, description: 'Position of the last event' } },
      content: jsonContent({
        type: 'object',
        required: ['accepted', 'position'],
        properties: { accepted: { type: 'integer' }, position: { type: 'string' } },
      }),
    },
    '200': {
      description:
        'Every event (source and id) had been seen before with the same content: nothing appended, same position',
      content: jsonContent({
        type: 'object',
        required: ['accepted', 'position'],
        properties: { accepted: { type: 'integer', const: 0 }, position: { type: 'string' } },
      }),
    },
  },
  errors: [400, 408, 409, 413, 422, 431, 503],
  schemas: eventSchemas(),
};
