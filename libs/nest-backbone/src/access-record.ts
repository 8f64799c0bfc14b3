import type { FastifyRequest } from 'fastify';
import type { Principal } from '#auth';
import type { AccessRecord } from '#read-store';

/**
 * The access-log record of a read of a customer's data: the credential, the route as declared, the `?channel=` and
 * the `Journey-Purpose` header if any, and the position the answer reflects.
 */
export function accessRecordOf(
  request: FastifyRequest,
  principal: Principal | null,
  customerId: string,
  channel: string | undefined,
  position: string | null,
): Omit<AccessRecord, 'at'> {
  const purpose = request.headers['journey-purpose'];
  return {
    credential: principal?.credential ?? 'anonymous',
    customerId,
    route: (request.routeOptions.url ?? request.url).replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
    channel: channel ?? null,
    purpose: typeof purpose === 'string' && purpose !== '' ? purpose.slice(0, 200) : null,
    position,
  };
}
