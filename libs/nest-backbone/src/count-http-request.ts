import type { FastifyRequest } from 'fastify';
import type { Metrics } from './metrics';

/**
 * Counts an answered request by method, route pattern and status (`unmatched` when no route took it), and its
 * duration when it has one (a stream, counted as it ends, has none worth a histogram).
 */
export function countHttpRequest(metrics: Metrics, request: FastifyRequest, status: number, seconds?: number): void {
  const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status };
  metrics.httpRequests.inc(labels);
  if (seconds !== undefined) metrics.httpDuration.observe(labels, seconds);
}
