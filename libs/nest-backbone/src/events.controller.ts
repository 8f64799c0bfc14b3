import { Controller, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Domain, JourneyEvent } from '#schemas';
import { canSpeakFor, canWrite, type Principal } from '#auth';
import type { BackboneConfig } from '#config';
import { BackboneError, isBackboneError } from '#errors';
import { EventIngestion } from '#ingestion';
import { Metrics } from './metrics';
import { fromBinaryMode } from './cloudevents-binary-mode';
import { readJsonBody } from './read-json-body';
import { ApiOperation } from './openapi/api-operation';
import { APPEND_EVENTS } from './openapi/events-operation';
import { principalOf, RequiresAccess } from './route-access';
import { BACKBONE_CONFIG, PRODUCER_OWNER } from './tokens';

/**
 * `POST /v1/events`: one CloudEvent or an array of them (structured mode), or one in binary mode (`ce-*` headers),
 * appended atomically.
 */
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly ingestion: EventIngestion,
    private readonly metrics: Metrics,
    @Inject(BACKBONE_CONFIG) private readonly config: BackboneConfig,
    @Inject(PRODUCER_OWNER) private readonly owner: Domain | null,
  ) {}

  @Post()
  @RequiresAccess('events:write')
  @ApiOperation(APPEND_EVENTS)
  async append(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('expectedVersion') expectedVersion?: string,
  ): Promise<void> {
    const startedAt = performance.now();
    try {
      if (expectedVersion !== undefined && !/^\d+$/.test(expectedVersion)) {
        throw new BackboneError('invalid_parameter', 'expectedVersion must be a non-negative integer', {
          details: { parameter: 'expectedVersion' },
        });
      }
      const json = await readJsonBody(request.raw, this.config.http.maxBodyBytes);
      // Binary mode (ce-* headers, the data as the body) is one event, as structured mode would send it.
      const body = fromBinaryMode(request.headers, json) ?? json;
      const principal = principalOf(request);
      const result = await this.ingestion.ingest(body, {
        owner: this.owner,
        refusedFor: principal === null ? undefined : (event) => writeRefusals(principal, event),
        expectedVersion: expectedVersion === undefined ? undefined : Number(expectedVersion),
      });
      if (result.accepted > 0) this.metrics.eventsAppended.inc(result.accepted);
      this.metrics.appendDuration.observe({ outcome: 'appended' }, (performance.now() - startedAt) / 1000);
      reply
        .code(result.status)
        .header('Journey-Position', result.position)
        .send({ accepted: result.accepted, position: result.position });
    } catch (error) {
      this.metrics.eventsRejected.inc({ code: isBackboneError(error) ? error.code : 'internal_error' });
      this.metrics.appendDuration.observe({ outcome: 'refused' }, (performance.now() - startedAt) / 1000);
      throw error;
    }
  }
}

/** Why a credential may not append an event: its type is outside its write scopes, or its source outside its pins. */
function writeRefusals(principal: Principal, event: JourneyEvent): Array<{ path: string; message: string }> {
  const refusals: Array<{ path: string; message: string }> = [];
  if (!canWrite(principal, event.type)) refusals.push({ path: 'type', message: `needs events:write:${event.type}` });
  if (!canSpeakFor(principal, event.source))
    refusals.push({ path: 'source', message: `this credential may not speak for source ${event.source}` });
  return refusals;
}
