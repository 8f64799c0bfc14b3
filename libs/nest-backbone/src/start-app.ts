import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { loadConfig, type BackboneConfig } from '#config';
import { isBackboneError } from '#errors';
import { createLogger } from '#logging';
import { startTracing } from '#tracing';
import type { Projection } from '#projection-runtime';
import { BackboneModule } from './backbone.module';
import { bootstrapHttpApp } from './bootstrap-http-app';

/**
 * The `main` of every app: validate the environment (a clear message and exit code 2 when it is
 * wrong), then serve the app's modules beside the shared backbone module (exit code 3 when the
 * configured log or read store cannot be reached). `projections`: the registry this backbone runs, which `/health` and
 * `/metrics` report on.
 */
export async function startApp(
  name: string,
  projections: readonly Projection[],
  modules: (config: BackboneConfig) => Array<Type | DynamicModule>,
): Promise<INestApplication> {
  let config: BackboneConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (isBackboneError(error, 'configuration_invalid')) {
      console.error(`${name}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(name, config.logLevel);
  @Module({})
  class AppRootModule {}
  try {
    const tracing = startTracing(name);
    return await bootstrapHttpApp(
      name,
      {
        module: AppRootModule,
        imports: [BackboneModule.forRoot(config, logger, projections, tracing), ...modules(config)],
      },
      config,
      logger,
    );
  } catch (error) {
    // A setting found wrong only when used (the master key file): exit code 2, as for the environment.
    if (isBackboneError(error, 'configuration_invalid')) {
      console.error(`${name}: cannot start: ${error.message}`);
      process.exit(2);
    }
    // A log or read store that cannot be reached at start, or a port that cannot be had: one clear line, exit code 3.
    const reason = isBackboneError(error) ? error.message : cannotListen(error, config.http);
    if (reason !== null) {
      console.error(`${name}: cannot start: ${reason}`);
      process.exit(3);
    }
    throw error;
  }
}

/** Why the server could not listen, in words, or null when the error is something else. */
function cannotListen(error: unknown, http: BackboneConfig['http']): string | null {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return `port ${http.port} on ${http.host} is in use (set PORT to another one)`;
    case 'EACCES':
      return `no permission to listen on port ${http.port} (ports below 1024 need privileges; set PORT)`;
    case 'EADDRNOTAVAIL':
      return `${http.host} is not an address of this machine (set HOST)`;
    default:
      return null;
  }
}
