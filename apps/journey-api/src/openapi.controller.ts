import { Controller, Get } from '@nestjs/common';
import type { Access } from '#auth';
import { RequiresAccess, RouteTable } from '#nest-backbone';
import { openApiDocument } from './openapi-document';

type Operation = Record<string, unknown> & { responses?: Record<string, unknown> };
type Document = { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

/** `GET /openapi.json`: the document, with each route's security taken from the access its route declares. */
@Controller()
export class OpenApiController {
  private document: Document | null = null;

  constructor(private readonly routes: RouteTable) {}

  @Get('openapi.json')
  @RequiresAccess('public')
  openapi(): object {
    this.document ??= withSecurity(openApiDocument() as Document, this.routes);
    return this.document;
  }
}

const UNAUTHENTICATED = { description: 'No credential, or one not accepted (header WWW-Authenticate: Bearer)' };
const FORBIDDEN = { description: 'The credential lacks the scope (or source) this needs' };
const RATE_LIMITED = { description: 'Too many requests from this credential (header Retry-After)' };

/**
 * The bearer scheme (API keys `jbk_<keyId>_<secret>` or the identity provider's JWTs), and per operation the scope
 * its route declares (`x-required-scope`, and as the security requirement's role) with its 401/403/429 answers.
 */
function withSecurity(document: Document, routes: RouteTable): Document {
  // Every route of the app is in the document, described or not, so none escapes the access tests.
  const all: Document['paths'] = structuredClone(document.paths);
  for (const route of routes.routes) {
    const method = route.method.toLowerCase();
    all[route.path] ??= {};
    all[route.path][method] ??= { summary: '(not described yet)', responses: { '200': { description: 'OK' } } };
  }
  const paths = Object.fromEntries(
    Object.entries(all).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => {
          const access = routes.accessOf(method.toUpperCase(), path);
          return [method, secured(operation, access)];
        }),
      ),
    ]),
  );
  return {
    ...document,
    paths,
    components: {
      ...document.components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (jbk_<keyId>_<secret>, made by `journey keys create`) or an access token (JWT)',
        },
      },
    },
  };
}

function secured(operation: Operation, access: Access | undefined): Operation {
  if (access === undefined)
    return { ...operation, 'x-required-scope': '(none declared: the route refuses every request)' };
  if (access === 'public') return { ...operation, security: [] };
  const scope = access === 'events:write' ? 'events:write:<type pattern>' : access;
  return {
    ...operation,
    'x-required-scope': scope,
    security: [{ bearer: [] }],
    responses: { ...operation.responses, '401': UNAUTHENTICATED, '403': FORBIDDEN, '429': RATE_LIMITED },
  };
}
