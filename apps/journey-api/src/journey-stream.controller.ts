import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { JourneyLog } from '#journey-log';
import { AccessLogRecorder } from '#journey-read';
import { JOURNEY_LOG, ApiOperation, RequiresAccess, accessRecordOf, principalOf } from '#nest-backbone';
import { STREAM_JOURNEY } from './journey-api-operations';
import { JourneyStreamHub } from './journey-stream-hub';
import { parseReadQuery, type RawReadQuery } from './read-query';

/**
 * `GET /v1/customers/{id}/journey/stream`: Server-Sent Events, one `journey` message per change of
 * the view (the current view first), each with the position it reflects as its `id`. A client
 * reconnecting sends it back as `Last-Event-ID` (or `?lastEventId=`, for EventSource polyfills
 * that cannot set headers) and gets the view again only if it changed since.
 */
@Controller('v1')
export class JourneyStreamController {
  constructor(
    private readonly hub: JourneyStreamHub,
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    private readonly accessLog: AccessLogRecorder,
  ) {}

  @Get('customers/:customerId/journey/stream')
  @RequiresAccess('journeys:read')
  @ApiOperation(STREAM_JOURNEY)
  async stream(
    @Param('customerId') customerId: string,
    @Query() query: RawReadQuery & { lastEventId?: string },
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { channel } = parseReadQuery({ channel: query.channel });
    await this.hub.stream(customerId, channel, this.resumeFrom(lastEventIdHeader ?? query.lastEventId), reply);
    // Opened: a read of the customer's data, recorded as the other reads are.
    this.accessLog.record(accessRecordOf(reply.request, principalOf(reply.request), customerId, channel, null));
  }

  /** A position this log could have sent; anything else (an old or foreign id) gets the current view. */
  private resumeFrom(lastEventId: string | undefined): string | undefined {
    if (lastEventId === undefined || lastEventId === '') return undefined;
    try {
      this.log.positions.validate(lastEventId);
      return lastEventId;
    } catch {
      return undefined;
    }
  }
}
