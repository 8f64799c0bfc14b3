import { trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { BackboneError } from '#errors';

/**
 * OpenTelemetry tracing, configured by the standard variables and off by default: with `OTEL_TRACES_EXPORTER` unset
 * (or `none`), or `OTEL_SDK_DISABLED=true`, no provider is registered and every span the backbone would make is
 * skipped before it is made. `otlp` exports over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (default http://localhost:4318), with `OTEL_EXPORTER_OTLP_HEADERS`; `console` prints
 * spans; `noop` makes them and drops them (the benchmark of tracing's own cost). `OTEL_SERVICE_NAME` (default
 * journey-backbone-<app>), `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER` and `OTEL_BSP_*` are the SDK's own.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** Sends what is buffered and stops (at the app's shutdown). */
  shutdown(): Promise<void>;
}

let enabled = false;

/** Whether this process traces: the spans of the backbone are made only then (no cost otherwise). */
export function tracingEnabled(): boolean {
  return enabled;
}

const EXPORTERS = ['otlp', 'console', 'noop', 'none'];

/** Takes every span and sends it nowhere: tracing's own cost, for the benchmark (`OTEL_TRACES_EXPORTER=noop`). */
const dropEverything: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => undefined,
};

/**
 * Starts tracing for the app `name` as the environment says. `exporter` (tests, benchmarks): spans go to it,
 * synchronously, whatever the environment says.
 */
export function startTracing(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { exporter?: SpanExporter } = {},
): Tracing {
  const processors: SpanProcessor[] = [];
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  else if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true') {
    const names = (env.OTEL_TRACES_EXPORTER ?? 'none')
      .split(',')
      .map((n) => n.trim().toLowerCase())
      .filter((n) => n !== '');
    const unknown = names.filter((n) => !EXPORTERS.includes(n));
    if (unknown.length > 0)
      throw new BackboneError(
        'configuration_invalid',
        `invalid configuration:\n  OTEL_TRACES_EXPORTER: ${unknown.join(', ')} is not one of ${EXPORTERS.join(', ')}`,
      );
    if (names.includes('otlp')) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
    if (names.includes('console')) processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    if (names.includes('noop')) processors.push(new BatchSpanProcessor(dropEverything));
  }
  if (processors.length === 0) return { enabled: false, shutdown: async () => undefined };
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? `journey-backbone-${name}` }),
    spanProcessors: processors,
  });
  // The global provider, the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  enabled = true;
  return {
    enabled: true,
    shutdown: async () => {
      enabled = false;
      await provider.shutdown();
      trace.disable();
    },
  };
}
