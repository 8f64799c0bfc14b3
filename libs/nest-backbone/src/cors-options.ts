import type { FastifyCorsOptions } from '@fastify/cors';

/**
 * CORS for the origins of `CORS_ORIGINS` (exact matches): the methods and headers the contract uses, and the headers a
 * page must read (the position, a retry's wait). No cookies: credentials are bearer tokens, sent by the page itself.
 */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  return {
    origin: [...origins],
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'last-event-id', 'journey-purpose'],
    exposedHeaders: ['journey-position', 'retry-after', 'www-authenticate'],
    credentials: false,
    maxAge: 600,
    strictPreflight: true,
  };
}
