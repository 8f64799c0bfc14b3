import { z } from 'zod';
import { catalog, EVENT_TYPES } from './catalog';
import { EnvelopeSchema } from './envelope';

/** One generated JSON Schema file: name and content, for consumers in other languages. */
export interface JsonSchemaFile {
  fileName: string;
  content: string;
}

/** The JSON Schema of every version of every event type (envelope with its data), deterministic. */
export function generateJsonSchemaFiles(): JsonSchemaFile[] {
  const files: JsonSchemaFile[] = [];
  for (const type of EVENT_TYPES) {
    catalog[type].versions.forEach((dataSchema, i) => {
      const version = i + 1;
      const schema = EnvelopeSchema.extend({
        type: z.literal(type),
        schemaversion: version === 1 ? z.literal(1).optional() : z.literal(version),
        data: dataSchema as z.ZodType,
      });
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
      json.$id = `https://journey-backbone.dev/schemas/${type}.v${version}.schema.json`;
      json.title = `${type} v${version}`;
      files.push({ fileName: `${type}.v${version}.schema.json`, content: JSON.stringify(json, null, 2) + '\n' });
    });
  }
  return files;
}
