import { Controller, Get, Inject } from '@nestjs/common';
import type { BackboneConfig } from '#config';
import {
  ASYNCAPI_DEFAULTS,
  ApiOperation,
  BACKBONE_CONFIG,
  RequiresAccess,
  asyncApiDocument,
  jsonContent,
} from '#nest-backbone';

/**
 * `GET /asyncapi.json`: the AsyncAPI 3 document of what the backbone publishes (the journey topic, the views topic,
 * the SSE stream, webhooks), with this deployment's topic names; `docs/asyncapi.json` is the same with the defaults.
 */
@Controller()
export class AsyncApiController {
  private document: object | null = null;

  constructor(@Inject(BACKBONE_CONFIG) private readonly config: BackboneConfig) {}

  @Get('asyncapi.json')
  @RequiresAccess('public')
  @ApiOperation({
    summary: 'The AsyncAPI 3 document: the journey topic, the views topic, the SSE stream and webhook deliveries',
    responses: { '200': { description: 'OK', content: jsonContent({ type: 'object' }) } },
  })
  asyncapi(): object {
    // Made when first asked for, not at every start.
    if (this.document === null) {
      const kafka = this.config.journeyLog.kind === 'kafka' ? this.config.journeyLog : null;
      this.document = asyncApiDocument({
        journeyTopic: kafka?.topic ?? ASYNCAPI_DEFAULTS.journeyTopic,
        partitions: kafka?.partitions ?? ASYNCAPI_DEFAULTS.partitions,
        viewsTopic: this.config.push.viewsTopic ?? ASYNCAPI_DEFAULTS.viewsTopic,
      });
    }
    return this.document;
  }
}
