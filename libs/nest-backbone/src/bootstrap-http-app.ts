import { createServer } from 'node:net';
import 'reflect-metadata';
import { type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { BackboneConfig } from '#config';
import { BackboneError } from '#errors';
import { IngestionError } from '#ingestion';
import type { StructuredLogger } from '#logging';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { Authenticator } from '#auth';
import { traceHttpRequest } from '#tracing';
import { hostAllowed } from './allowed-host';
import { corsOptions } from './cors-options';
import { rateLimitOptions } from './rate-limits';
import { setPrincipal } from './route-access';
import { BackboneExceptionFilter, sendError } from './backbone-exception.filter';
import { answerClientError } from './client-error-answer';
import { countHttpRequest } from './count-http-request';
import { jsonContentTypeProblem } from './json-content-type';
import { Metrics } from './metrics';
import { NestLogger } from './nest-logger';
import { OpenApiController } from './openapi/openapi.controller';
import { OpenApiMismatchError, openApiDocument, openApiPath, routeDifferences } from './openapi/openapi-document';
import { RouteTable } from './route-table';

/** How often Node looks for requests past their time (its default, 30 s, would let a 10 s limit run to 40). */
const TIMEOUT_CHECK_MS = 1000;

/**
 * Starts one app on Fastify: JSON bodies are read by the controllers themselves (limits and error
 * shape), errors go through the one filter, requests are counted, and SIGTERM/SIGINT close the
 * adapters. Fastify rather than Express: in a like-for-like Nest app (a POST and a GET per event,
 * 1,000 events a second) it took about 15 µs of CPU per request against Express's 35 here, and the
 * backbone app is CPU-bound at that rate.
 *
 * Before any route: the Host header (DNS rebinding, on loopback), and for a request with a body,
 * its content type and announced length, so a refused body is never read. Headers must arrive
 * within `headersTimeoutMs` and the whole request within `requestTimeoutMs` (a client trickling
 * bytes would otherwise hold a connection and its memory forever).
 */
export async function bootstrapHttpApp(
  name: string,
  module: Type | DynamicModule,
  config: BackboneConfig,
  logger: StructuredLogger,
): Promise<NestFastifyApplication> {
  const { http } = config;
  // Paths as Express matched them: a trailing slash is the same route, and a long id is a parameter, not a 404.
  const adapter = new FastifyAdapter({
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    requestTimeout: http.requestTimeoutMs,
    http: { headersTimeout: http.headersTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    clientErrorHandler: answerClientError,
    // A URL Fastify cannot route (a broken %-escape) answers in the contract's error shape too.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) =>
      sendError(reply, new BackboneError('invalid_parameter', error.message), logger),
  });
  const fastify = adapter.getInstance();
  // First of all hooks: a request's span, in whose context the rest of the request runs (nothing when tracing is off).
  traceHttpRequest(fastify);
  // Every route the server will answer, however it was registered: checked against the route table before listening.
  const served: Array<{ method: string; path: string }> = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) served.push({ method: String(method), path: route.url });
  });
  // The body stays unread for the controller (readJsonBody): its limit and errors are the contract's.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  // Browser pages of the configured origins (CORS_ORIGINS): their preflights are answered before any other check.
  if (http.corsOrigins.length > 0) await fastify.register(cors, corsOptions(http.corsOrigins));
  // Errors thrown here reach Nest's handler of Fastify errors, so the one filter answers them.
  fastify.addHook('onRequest', async (request) => {
    if (!hostAllowed(request.headers.host, http.allowedHosts)) {
      throw new BackboneError(
        'host_not_allowed',
        `this app answers to ${http.allowedHosts!.join(', ')} only (set ALLOWED_HOSTS to add names)`,
      );
    }
    if (!hasBody(request)) return;
    const problem = jsonContentTypeProblem(request.headers['content-type']);
    if (problem)
      throw new IngestionError('validation_failed', 'unsupported content type', [
        { index: 0, path: '(body)', message: problem },
      ]);
    if (Number(request.headers['content-length']) > http.maxBodyBytes) {
      throw new IngestionError('payload_too_large', 'request body too large', [
        { index: 0, path: '(body)', message: `the body is over the limit of ${http.maxBodyBytes} bytes` },
      ]);
    }
  });
  // Who is asking, before the body is read: a bad token is a 401 whatever the route. The authenticator is the app's
  // (created with it below); the app does not listen before it exists.
  let authenticator: Authenticator | null = null;
  fastify.addHook('onRequest', async (request) => {
    setPrincipal(request, await authenticator!.authenticate(request.headers.authorization));
  });
  if (config.auth.mode === 'required') await fastify.register(rateLimit, rateLimitOptions(config.auth.rateLimit));
  // A failure while wiring (a log or store that cannot be reached) is thrown to startApp, which
  // says it in one line: Nest neither exits nor logs it here.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bodyParser: false,
    logger: new NestLogger(logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new BackboneExceptionFilter(logger));
  const appAuthenticator = app.get(Authenticator);
  authenticator = appAuthenticator;
  if (!appAuthenticator.required)
    logger.warn(
      {},
      'auth is off: every request may do everything (allowed on loopback only; see Security in the README)',
    );
  app.enableShutdownHooks();
  await app.init();
  publishOpenApi(app, name, served);
  const metrics = app.get(Metrics);
  // Streams (SSE) leave Fastify's lifecycle and count themselves when they end.
  fastify.addHook('onResponse', async (request, reply) =>
    countHttpRequest(metrics, request, reply.statusCode, reply.elapsedTime / 1000),
  );
  await probeListen(http.port, http.host);
  await app.listen(http.port, http.host);
  const address = app.getHttpServer().address() as { port: number };
  // Tests and scripts wait for this exact text to learn the port (PORT=0 picks a free one).
  logger.info({ host: http.host, port: address.port }, `listening on http://${http.host}:${address.port}`);
  return app;
}

/**
 * The OpenAPI document, made from the route table once the routes are registered; an app whose served routes and
 * route table differ, or whose routes cannot all be described, does not start (every difference named).
 */
function publishOpenApi(app: NestFastifyApplication, name: string, served: Array<{ method: string; path: string }>) {
  const routes = app.get(RouteTable).routes;
  const gets = new Set(served.filter((r) => r.method === 'GET').map((r) => r.path));
  const answered = served
    // Fastify answers HEAD for each GET by itself, and CORS preflights (OPTIONS) when origins are configured.
    .filter((r) => !(r.method === 'HEAD' && gets.has(r.path)) && r.method !== 'OPTIONS')
    .map((r) => ({ method: r.method, path: openApiPath(r.path) }));
  const differences = routeDifferences(answered, routes);
  if (differences.length > 0) throw new OpenApiMismatchError(differences);
  app.get(OpenApiController).publish(openApiDocument(name, routes));
}

/** A request that carries a body to a route that reads one (a GET's body is never read). */
function hasBody(request: FastifyRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * Binds the port for a moment and lets it go: a port in use (or not allowed) fails here with its errno code, which the
 * app's start turns into one line, before Nest's own `listen` would log the error a second time.
 */
async function probeListen(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
