import 'reflect-metadata';
import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { BackboneConfig } from '../../config/src';
import { BackboneExceptionFilter } from './backbone-exception.filter';
import { Metrics } from './metrics';

/**
 * Starts one app: JSON bodies are read by the controllers themselves (limits and error shape),
 * errors go through the one filter, requests are counted, and SIGTERM/SIGINT close the adapters.
 */
export async function bootstrapHttpApp(name: string, module: Type | DynamicModule, config: BackboneConfig): Promise<INestApplication> {
  // A failure while wiring (a log or store that cannot be reached) is thrown to startApp, which
  // says it in one line: Nest neither exits nor logs it here.
  const app = await NestFactory.create(module, { bodyParser: false, logger: false, abortOnError: false });
  app.useLogger(['error', 'warn']);
  app.useGlobalFilters(new BackboneExceptionFilter());
  app.enableShutdownHooks();
  const metrics = app.get(Metrics);
  app.use((request: Request, response: Response, next: NextFunction) => {
    response.on('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.inc('journey_http_requests_total', { method: request.method, route, status: response.statusCode });
    });
    next();
  });
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as { port: number };
  // Tests and scripts wait for this exact line to learn the port (PORT=0 picks a free one).
  console.log(`listening on http://${config.http.host}:${address.port}`);
  return app;
}
