import type { FastifyRequest } from 'fastify';
import type { Metrics } from './metrics';

/** Counts an answered request by method, route pattern and status (`unmatched` when no route took it). */
export function countHttpRequest(metrics: Metrics, request: FastifyRequest, status: number): void {
  metrics.inc('journey_http_requests_total', {
    method: request.method,
    route: request.routeOptions.url ?? 'unmatched',
    status,
  });
}
