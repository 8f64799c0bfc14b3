import { Injectable, RequestMethod, type OnModuleInit } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Access } from '#auth';
import { operationOf } from './openapi/api-operation';
import { openApiPath, type DescribedRoute } from './openapi/openapi-document';
import { accessOf } from './route-access';

/**
 * One route of this app, with the access it declares (undefined: none, which the guard refuses) and its description
 * for the OpenAPI document.
 */
export type RouteEntry = DescribedRoute;

/**
 * Every route of the running app, read from its controllers at start: the OpenAPI document takes each route's
 * security from it, and the access tests go through it, so a route without a declared access cannot go unnoticed.
 */
@Injectable()
export class RouteTable implements OnModuleInit {
  routes: RouteEntry[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const routes: RouteEntry[] = [];
    for (const { instance, metatype } of this.discovery.getControllers()) {
      if (!instance || !metatype) continue;
      const prefix = this.reflector.get<string | undefined>(PATH_METADATA, metatype) ?? '';
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const path = this.reflector.get<string | undefined>(PATH_METADATA, handler as () => unknown);
        const method = this.reflector.get<RequestMethod | undefined>(METHOD_METADATA, handler as () => unknown);
        if (path === undefined || method === undefined) continue;
        routes.push({
          method: RequestMethod[method],
          path: openApiPath(prefix, path),
          access: accessOf(this.reflector, handler),
          operation: operationOf(this.reflector, handler),
        });
      }
    }
    this.routes = routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  }

  /** The access of a route by its OpenAPI path and method (upper case). */
  accessOf(method: string, path: string): Access | undefined {
    return this.routes.find((r) => r.method === method && r.path === path)?.access;
  }
}
