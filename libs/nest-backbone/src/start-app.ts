import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { loadConfig, type BackboneConfig } from '#config';
import { isBackboneError } from '#errors';
import { createLogger } from '#logging';
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
    return await bootstrapHttpApp(
      name,
      { module: AppRootModule, imports: [BackboneModule.forRoot(config, logger, projections), ...modules(config)] },
      config,
      logger,
    );
  } catch (error) {
    // A log or read store that cannot be reached at start: one clear line and exit code 3.
    if (isBackboneError(error)) {
      console.error(`${name}: cannot start: ${error.message}`);
      process.exit(3);
    }
    throw error;
  }
}
