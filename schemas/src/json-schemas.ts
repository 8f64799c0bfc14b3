import { z } from 'zod';
import { catalog, EVENT_TYPES, type EventType } from './catalog';
import { EnvelopeSchema } from './envelope';
import { extensionAttributesJsonSchema } from './extension-attributes';

/** One generated JSON Schema file: name and content, for consumers in other languages. */
export interface JsonSchemaFile {
  fileName: string;
  content: string;
}

/**
 * One version of one event type as a producer sends it: the envelope with that version's data. Version 1 may leave
 * `schemaversion` out; a later one must say it, so the versions of a type exclude one another (`oneOf`).
 */
export function eventVersionSchema(type: EventType, version: number): z.ZodType {
  return EnvelopeSchema.extend({
    type: z.literal(type),
    schemaversion: version === 1 ? z.literal(1).optional() : z.literal(version),
    data: catalog[type].versions[version - 1] as z.ZodType,
  });
}

/** The JSON Schema of every version of every event type (envelope with its data), deterministic. */
export function generateJsonSchemaFiles(): JsonSchemaFile[] {
  const files: JsonSchemaFile[] = [];
  for (const type of EVENT_TYPES) {
    catalog[type].versions.forEach((_, i) => {
      const version = i + 1;
      const json = {
        ...(z.toJSONSchema(eventVersionSchema(type, version), { io: 'input', unrepresentable: 'any' }) as Record<
          string,
          unknown
        >),
        ...extensionAttributesJsonSchema(),
      };
      json.$id = `https://journey-backbone.dev/schemas/${type}.v${version}.schema.json`;
      json.title = `${type} v${version}`;
      files.push({ fileName: `${type}.v${version}.schema.json`, content: JSON.stringify(json, null, 2) + '\n' });
    });
  }
  return files;
}
