import {
  OpenApiMismatchError,
  jsonContent,
  openApiDocument,
  openApiPath,
  routeDifferences,
  schemaRef,
  type DescribedRoute,
  type OperationSpec,
} from './openapi-document';

const ok = (summary: string, extra: Partial<OperationSpec> = {}): OperationSpec => ({
  summary,
  responses: { '200': { description: 'OK' } },
  ...extra,
});
const routes: DescribedRoute[] = [
  { method: 'GET', path: '/health', access: 'public', operation: ok('health') },
  {
    method: 'GET',
    path: '/v1/orders/{orderId}',
    access: 'journeys:read',
    operation: ok('order', {
      parameters: [{ name: 'channel', in: 'query', schema: { type: 'string' } }],
      responses: { '200': { description: 'OK', content: jsonContent(schemaRef('OrderView')) } },
      errors: [404],
      schemas: { OrderView: { type: 'object' } },
    }),
  },
  { method: 'POST', path: '/v1/events', access: 'events:write', operation: ok('append', { errors: [400] }) },
];
type Document = {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; [k: string]: unknown }>>;
  components: { schemas: Record<string, unknown> };
};
const problemsOf = (table: DescribedRoute[]) => {
  try {
    openApiDocument('test', table);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(OpenApiMismatchError);
    return (error as OpenApiMismatchError).problems;
  }
};

describe('the OpenAPI document, made from the route table', () => {
  it('given the routes, then it has exactly their paths, their path parameters first, and security from access', () => {
    const document = openApiDocument('test', routes) as unknown as Document;
    expect(Object.keys(document.paths).sort()).toEqual(['/health', '/v1/events', '/v1/orders/{orderId}']);
    const order = document.paths['/v1/orders/{orderId}'].get;
    expect(order.parameters).toEqual([
      { name: 'orderId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'channel', in: 'query', schema: { type: 'string' } },
    ]);
    expect(order).toMatchObject({ 'x-required-scope': 'journeys:read', security: [{ bearer: [] }] });
    expect(Object.keys(order.responses as object).sort()).toEqual(['200', '401', '403', '404', '429']);
    expect(document.paths['/health'].get).toMatchObject({ security: [] });
    expect(document.paths['/v1/events'].post).toMatchObject({ 'x-required-scope': 'events:write:<type pattern>' });
    expect(Object.keys(document.components.schemas).sort()).toEqual(['ErrorBody', 'OrderView']);
  });

  it.each<[string, DescribedRoute[], RegExp]>([
    [
      'a route without a description',
      [...routes, { method: 'DELETE', path: '/v1/x', access: 'admin', operation: undefined }],
      /^DELETE \/v1\/x: served, but its handler has no @ApiOperation$/,
    ],
    [
      'a route without an access',
      [{ method: 'GET', path: '/v1/y', access: undefined, operation: ok('y') }],
      /^GET \/v1\/y: declares no access/,
    ],
    [
      'a path parameter the path does not have',
      [
        {
          method: 'GET',
          path: '/v1/orders/{id}',
          access: 'public',
          operation: ok('o', { parameters: [{ name: 'orderId', in: 'path', schema: { type: 'string' } }] }),
        },
      ],
      /describes a path parameter orderId it does not have/,
    ],
    [
      'a schema named but declared by no route',
      [
        {
          method: 'GET',
          path: '/v1/z',
          access: 'public',
          operation: ok('z', { responses: { '200': { description: 'OK', content: jsonContent(schemaRef('Nope')) } } }),
        },
      ],
      /#\/components\/schemas\/Nope: named, but no route declares that schema/,
    ],
    [
      'two routes declaring one schema differently',
      [
        { method: 'GET', path: '/a', access: 'public', operation: ok('a', { schemas: { S: { type: 'object' } } }) },
        { method: 'GET', path: '/b', access: 'public', operation: ok('b', { schemas: { S: { type: 'string' } } }) },
      ],
      /component schema S differs/,
    ],
  ])('given %s, then it refuses to make the document, naming it', (_case, table, problem) => {
    expect(problemsOf(table)).toEqual([expect.stringMatching(problem)]);
  });

  it('given the served routes and the route table, then every route in one and not the other is named', () => {
    const table = routes.map(({ method, path }) => ({ method, path }));
    expect(routeDifferences(table, table)).toEqual([]);
    const served = [...table.slice(1), { method: 'GET', path: '/debug' }];
    expect(routeDifferences(served, table)).toEqual([
      'GET /debug: served, but not in the route table',
      'GET /health: in the route table, but not served',
    ]);
  });

  it.each([
    [['v1', 'orders/:orderId'], '/v1/orders/{orderId}'],
    [['', 'openapi.json'], '/openapi.json'],
    [['/v1/identities/:kind/:value/'], '/v1/identities/{kind}/{value}'],
  ])('given the framework path %j, then its OpenAPI path is %s', (parts, expected) => {
    expect(openApiPath(...parts)).toBe(expected);
  });
});
