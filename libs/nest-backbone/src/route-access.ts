import { SetMetadata, type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { allows, unauthenticated, type Access, type Principal } from '#auth';
import { BackboneError } from '#errors';

const ACCESS = 'journey:access';

/**
 * What a route needs (a scope, `events:write` for the producers' route, or `public`). Every route declares it: the
 * guard refuses a route that does not (it fails closed), and the OpenAPI document and the access tests read it.
 */
export const RequiresAccess = (access: Access) => SetMetadata(ACCESS, access);

/** The access a route handler declares, if it declares one. */
export function accessOf(reflector: Reflector, handler: object): Access | undefined {
  return reflector.get<Access | undefined>(ACCESS, handler as () => unknown);
}

/** The principal the `onRequest` hook established for a request (null: no credential was sent). */
export function principalOf(request: FastifyRequest): Principal | null {
  return (request as FastifyRequest & { principal?: Principal | null }).principal ?? null;
}

export function setPrincipal(request: FastifyRequest, principal: Principal | null): void {
  (request as FastifyRequest & { principal?: Principal | null }).principal = principal;
}

/** The one place a route's access is enforced, for every app and every route (SSE and `/metrics` too). */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const access = accessOf(this.reflector, context.getHandler());
    if (access === undefined) throw new BackboneError('internal_error', 'this route declares no access');
    if (access === 'public') return true;
    const principal = principalOf(context.switchToHttp().getRequest<FastifyRequest>());
    if (principal === null) throw unauthenticated('no credential');
    if (!allows(principal, access)) {
      const needed = access === 'events:write' ? 'events:write:<type pattern>' : access;
      throw new BackboneError('forbidden', `this credential lacks the scope ${needed}`, {
        details: [{ path: 'scope', message: `needs ${needed}` }],
      });
    }
    return true;
  }
}
