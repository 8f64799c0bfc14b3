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
  private readonly document: object;

  constructor(@Inject(BACKBONE_CONFIG) config: BackboneConfig) {
    const kafka = config.journeyLog.kind === 'kafka' ? config.journeyLog : null;
    this.document = asyncApiDocument({
      journeyTopic: kafka?.topic ?? ASYNCAPI_DEFAULTS.journeyTopic,
      partitions: kafka?.partitions ?? ASYNCAPI_DEFAULTS.partitions,
      viewsTopic: config.push.viewsTopic ?? ASYNCAPI_DEFAULTS.viewsTopic,
    });
  }

  @Get('asyncapi.json')
  @RequiresAccess('public')
  @ApiOperation({
    summary: 'The AsyncAPI 3 document: the journey topic, the views topic, the SSE stream and webhook deliveries',
    responses: { '200': { description: 'OK', content: jsonContent({ type: 'object' }) } },
  })
  asyncapi(): object {
    return this.document;
  }
}
