import 'reflect-metadata';
import { type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { BackboneConfig } from '../../config/src';
import { BackboneError } from '../../errors/src';
import { BackboneExceptionFilter, sendError } from './backbone-exception.filter';
import { countHttpRequest } from './count-http-request';
import { Metrics } from './metrics';

/**
 * Starts one app on Fastify: JSON bodies are read by the controllers themselves (limits and error
 * shape), errors go through the one filter, requests are counted, and SIGTERM/SIGINT close the
 * adapters. Fastify rather than Express: in a like-for-like Nest app (a POST and a GET per event,
 * 1,000 events a second) it took about 15 µs of CPU per request against Express's 35 here, and the
 * backbone app is CPU-bound at that rate.
 */
export async function bootstrapHttpApp(name: string, module: Type | DynamicModule, config: BackboneConfig): Promise<NestFastifyApplication> {
  // Paths as Express matched them: a trailing slash is the same route, and a long id is a parameter, not a 404.
  const adapter = new FastifyAdapter({
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    // A URL Fastify cannot route (a broken %-escape) answers in the contract's error shape too.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => sendError(reply, new BackboneError('invalid_parameter', error.message)),
  });
  const fastify = adapter.getInstance();
  // The body stays unread for the controller (readJsonBody): its limit and errors are the contract's.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  // A failure while wiring (a log or store that cannot be reached) is thrown to startApp, which
  // says it in one line: Nest neither exits nor logs it here.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bodyParser: false, logger: false, abortOnError: false });
  app.useLogger(['error', 'warn']);
  app.useGlobalFilters(new BackboneExceptionFilter());
  app.enableShutdownHooks();
  const metrics = app.get(Metrics);
  // Streams (SSE) leave Fastify's lifecycle and count themselves when they end.
  fastify.addHook('onResponse', async (request, reply) => countHttpRequest(metrics, request, reply.statusCode));
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as { port: number };
  // Tests and scripts wait for this exact line to learn the port (PORT=0 picks a free one).
  console.log(`listening on http://${config.http.host}:${address.port}`);
  return app;
}
