import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { BackboneError } from '#errors';
import { principalOf } from './route-access';

/** Identity look-ups answer whether a value is a customer's: their own, lower limit, in a bucket of their own. */
const isIdentityLookup = (request: FastifyRequest) => request.routeOptions.url === '/v1/identities/:kind/:value';

/**
 * Requests per minute and credential (`@fastify/rate-limit`): a request without one counts against its address.
 * Beyond the limit: 429 in the contract's error shape, with `Retry-After`.
 */
export function rateLimitOptions(limits: { perMinute: number; identityPerMinute: number }): RateLimitPluginOptions {
  return {
    global: true,
    timeWindow: 60_000,
    hook: 'onRequest',
    max: (request) => (isIdentityLookup(request) ? limits.identityPerMinute : limits.perMinute),
    keyGenerator: (request) =>
      `${principalOf(request)?.credential ?? `address:${request.ip}`}${isIdentityLookup(request) ? '|identity' : ''}`,
    errorResponseBuilder: (_request, context) =>
      new BackboneError('rate_limited', `more than ${context.max} requests a minute from this credential`, {
        details: [{ path: '(request)', message: `retry after ${Math.ceil(context.ttl / 1000)} s` }],
      }),
  };
}
