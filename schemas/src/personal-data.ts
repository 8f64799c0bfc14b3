import { z } from 'zod';

/**
 * Personal data in the catalog: every string field of every event type is declared either personal (`personal()`:
 * encrypted under its data subject's key before it reaches the log, masked without `pii:read`, erased with its
 * subject) or not personal (`notPersonal()`: ids, times, codes, product and policy wording). A test fails on a string
 * field that is neither, so a new type cannot bring personal data in unnoticed. Closed vocabularies (enums, literals)
 * cannot hold personal data and need no declaration.
 */
export const PERSONAL_DATA = 'x-personal-data';

/** Declared not personal (kept apart from the global registry so that JSON Schema shows only the personal flag). */
const notPersonalRegistry = z.registry<{ why: string }>();

/** Declares a field personal: shown as `"x-personal-data": true` in JSON Schema and OpenAPI. Apply last. */
export function personal<T extends z.ZodType>(schema: T): T {
  return schema.meta({ [PERSONAL_DATA]: true });
}

/** Declares a field not personal, with why (an id, a time, a carrier's name...). Apply last. */
export function notPersonal<T extends z.ZodType>(schema: T, why: string): T {
  notPersonalRegistry.add(schema, { why });
  return schema;
}

/** One string field of a schema: its path (`*` for an array's items) and what it was declared. */
export interface StringField {
  path: string[];
  declared: 'personal' | 'not personal' | 'undeclared';
}

function declaration(schema: z.ZodType): StringField['declared'] | undefined {
  const meta: Record<string, unknown> | undefined = z.globalRegistry.get(schema);
  if (meta?.[PERSONAL_DATA] === true) return 'personal';
  if (notPersonalRegistry.has(schema)) return 'not personal';
  return undefined;
}

/**
 * Every string field of a data schema, with its declaration. A declaration on a wrapper (optional) or on what it
 * wraps counts.
 */
export function stringFields(
  schema: z.ZodType,
  path: string[] = [],
  inherited?: StringField['declared'],
): StringField[] {
  const declared = declaration(schema) ?? inherited;
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'string':
      return [{ path, declared: declared ?? 'undeclared' }];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return stringFields(def.innerType as z.ZodType, path, declared);
    case 'pipe':
      return stringFields(def.in as z.ZodType, path, declared);
    case 'array':
      return stringFields(def.element as z.ZodType, [...path, '*'], declared);
    case 'object': {
      const shape = (schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
      return Object.entries(shape).flatMap(([key, field]) => stringFields(field, [...path, key], declared));
    }
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option) => stringFields(option, path, declared));
    default:
      return [];
  }
}

/** The paths of a data schema's personal fields (`*` for an array's items). */
export function personalFieldPaths(schema: z.ZodType): string[][] {
  return stringFields(schema)
    .filter((field) => field.declared === 'personal')
    .map((field) => field.path);
}

/** What a reader sees in place of a personal field whose subject was erased (its key is gone). */
export const ERASED = '[erased]';
