import { Controller, Get } from '@nestjs/common';
import { RequiresAccess } from '../route-access';
import { ApiOperation } from './api-operation';
import { jsonContent } from './openapi-document';

/**
 * `GET /openapi.json`, on every app: the document of the routes this app serves, made at start from its route table
 * (see `bootstrapHttpApp`), which refuses to start when they differ.
 */
@Controller()
export class OpenApiController {
  private document: object | null = null;

  publish(document: object): void {
    this.document = document;
  }

  @Get('openapi.json')
  @RequiresAccess('public')
  @ApiOperation({
    summary: 'This document (OpenAPI 3.1): the routes this app serves',
    responses: { '200': { description: 'OK', content: jsonContent({ type: 'object' }) } },
  })
  openapi(): object {
    if (this.document === null) throw new Error('the OpenAPI document is made before the app listens');
    return this.document;
  }
}
