import { SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { OperationSpec } from './openapi-document';

const API_OPERATION = 'journey:api-operation';

/**
 * What a route adds to the OpenAPI document (summary, query parameters, body, answers). The path, its parameters and
 * its security come from the route itself: an app whose routes and descriptions differ does not start.
 */
export const ApiOperation = (spec: OperationSpec) => SetMetadata(API_OPERATION, spec);

export function operationOf(reflector: Reflector, handler: object): OperationSpec | undefined {
  return reflector.get<OperationSpec | undefined>(API_OPERATION, handler as () => unknown);
}
