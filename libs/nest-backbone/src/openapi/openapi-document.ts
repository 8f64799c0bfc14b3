import { z } from 'zod';
import type { Access } from '#auth';
import { ErrorBody } from '#schemas';

/**
 * The OpenAPI 3.1 document of an app, generated from its route table: a path is in the document because the app
 * serves it, with the parameters its path has, and each operation's access as its security. What a route adds (its
 * summary, query parameters, body, answers) is declared on its handler (`@ApiOperation`). Pure: tested without Nest.
 */

/** A query or header parameter, or the description of a path parameter (the path says which exist). */
export interface ParameterSpec {
  name: string;
  in: 'query' | 'header' | 'path';
  required?: boolean;
  schema: object;
  description?: string;
}

/** What a route's handler declares about itself for the document. */
export interface OperationSpec {
  summary: string;
  parameters?: ParameterSpec[];
  requestBody?: object;
  /** The answers that are not errors, by status code. */
  responses: Record<string, object>;
  /** The error answers (each an `ErrorBody`) besides those of its access (401, 403, 429), by status code. */
  errors?: number[];
  /** The component schemas its `$ref`s name (`#/components/schemas/<name>`). */
  schemas?: Record<string, object>;
}

/** One route as the app serves it, with what its handler declares. */
export interface DescribedRoute {
  method: string;
  /** OpenAPI form: `/v1/orders/{orderId}`. */
  path: string;
  access: Access | undefined;
  operation: OperationSpec | undefined;
}

/** A zod schema as an OpenAPI 3.1 schema (JSON Schema 2020-12): requests as sent (`input`), answers as given. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return json;
}

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const jsonContent = (schema: object) => ({ 'application/json': { schema } });

const UNAUTHENTICATED = { description: 'No credential, or one not accepted (header WWW-Authenticate: Bearer)' };
const FORBIDDEN = { description: 'The credential lacks the scope (or source) this needs' };
const RATE_LIMITED = { description: 'Too many requests from this credential (header Retry-After)' };

/** Thrown when the routes cannot be described: every problem named, so the app does not start with a wrong document. */
export class OpenApiMismatchError extends Error {
  constructor(readonly problems: string[]) {
    super(`the OpenAPI document does not match the routes:\n  ${problems.join('\n  ')}`);
    this.name = 'OpenApiMismatchError';
  }
}

export function openApiDocument(app: string, routes: readonly DescribedRoute[]): Record<string, unknown> {
  const problems: string[] = [];
  const schemas: Record<string, object> = { ErrorBody: jsonSchemaOf(ErrorBody) };
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const name = `${route.method} ${route.path}`;
    const operation = route.operation;
    if (!operation) {
      problems.push(`${name}: served, but its handler has no @ApiOperation`);
      continue;
    }
    if (route.access === undefined) problems.push(`${name}: declares no access (@RequiresAccess)`);
    for (const [schemaName, schema] of Object.entries(operation.schemas ?? {})) {
      if (schemas[schemaName] && JSON.stringify(schemas[schemaName]) !== JSON.stringify(schema))
        problems.push(`${name}: component schema ${schemaName} differs from another route's`);
      schemas[schemaName] = schema;
    }
    const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const described = new Map((operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, p]));
    for (const parameter of described.keys())
      if (!inPath.includes(parameter))
        problems.push(`${name}: describes a path parameter ${parameter} it does not have`);
    const parameters = [
      ...inPath.map((p) => ({ schema: { type: 'string' }, ...described.get(p), name: p, in: 'path', required: true })),
      ...(operation.parameters ?? []).filter((p) => p.in !== 'path'),
    ];
    const responses: Record<string, object> = { ...operation.responses };
    for (const code of operation.errors ?? [])
      responses[String(code)] = { description: `error ${code}`, content: jsonContent(schemaRef('ErrorBody')) };
    const secured =
      route.access === 'public' || route.access === undefined
        ? { security: [] }
        : {
            'x-required-scope': route.access === 'events:write' ? 'events:write:<type pattern>' : route.access,
            security: [{ bearer: [] }],
          };
    if (secured.security.length > 0)
      Object.assign(responses, { '401': UNAUTHENTICATED, '403': FORBIDDEN, '429': RATE_LIMITED });
    const { schemas: _declared, errors: _errors, ...rest } = operation;
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      ...rest,
      ...(parameters.length > 0 ? { parameters } : {}),
      responses,
      ...secured,
    };
  }
  const document = {
    openapi: '3.1.0',
    info: {
      title: `journey-backbone: ${app}`,
      version: '1.0.0',
      description: 'One shared log of journey events; every channel reads the same truth.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (jbk_<keyId>_<secret>, made by `journey keys create`) or an access token (JWT)',
        },
      },
    },
  };
  for (const ref of refsIn(document))
    if (!ref.startsWith('#/components/schemas/') || !schemas[ref.slice('#/components/schemas/'.length)])
      problems.push(`${ref}: named, but no route declares that schema`);
  if (problems.length > 0) throw new OpenApiMismatchError(problems);
  return document;
}

function refsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.add(item);
      else refsIn(item, found);
    }
  return found;
}

/**
 * What differs between the routes the HTTP server serves and the route table (each `METHOD /path` once): a route
 * registered around the controllers would escape the document and the access checks.
 */
export function routeDifferences(
  served: ReadonlyArray<{ method: string; path: string }>,
  table: ReadonlyArray<{ method: string; path: string }>,
): string[] {
  const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
  const inTable = new Set(table.map(key));
  const isServed = new Set(served.map(key));
  return [
    ...[...isServed].filter((k) => !inTable.has(k)).map((k) => `${k}: served, but not in the route table`),
    ...[...inTable].filter((k) => !isServed.has(k)).map((k) => `${k}: in the route table, but not served`),
  ];
}

/** A route's path in OpenAPI form, from a framework's (`/v1/orders/:orderId` is `/v1/orders/{orderId}`). */
export function openApiPath(...parts: string[]): string {
  const joined = `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/')}`;
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
