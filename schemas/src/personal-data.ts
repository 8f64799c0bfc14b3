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
/** Personal fields the backbone compares without reading them (see `personal`). */
const comparedRegistry = z.registry<{ compared: true }>();

/**
 * Declares a field personal: shown as `"x-personal-data": true` in JSON Schema and OpenAPI. Apply last. `compared`:
 * a rule compares its values (the unity metrics compare contact reasons), so it is sealed with a keyed hash of its
 * value
 * beside it, which still compares once the value is erased.
 */
export function personal<T extends z.ZodType>(schema: T, options: { compared?: boolean } = {}): T {
  const declared = schema.meta({ [PERSONAL_DATA]: true });
  if (options.compared) comparedRegistry.add(declared, { compared: true });
  return declared;
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
  /** A personal field whose values are compared (see `personal`). */
  compared: boolean;
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
  inheritedCompared = false,
): StringField[] {
  const declared = declaration(schema) ?? inherited;
  const compared = inheritedCompared || comparedRegistry.has(schema);
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const inner = (child: z.ZodType, at: string[]) => stringFields(child, at, declared, compared);
  switch (def.type) {
    case 'string':
      return [{ path, declared: declared ?? 'undeclared', compared: compared && declared === 'personal' }];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return inner(def.innerType as z.ZodType, path);
    case 'pipe':
      return inner(def.in as z.ZodType, path);
    case 'array':
      return inner(def.element as z.ZodType, [...path, '*']);
    case 'object': {
      const shape = (schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
      return Object.entries(shape).flatMap(([key, field]) => inner(field, [...path, key]));
    }
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option) => inner(option, path));
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

/** The paths of a data schema's personal fields whose values are compared (see `personal`). */
export function comparedFieldPaths(schema: z.ZodType): string[][] {
  return stringFields(schema)
    .filter((field) => field.compared)
    .map((field) => field.path);
}

/** What a reader sees in place of a personal field whose subject was erased (its key is gone). */
export const ERASED = '[erased]';
