import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BackboneError } from '#errors';
import type { JourneyLog } from '#journey-log';
import { hasScope } from '#auth';
import { AccessLogRecorder, JourneyReader, redact, type Read } from '#journey-read';
import { JOURNEY_LOG, READ_STORE, ApiOperation, RequiresAccess, accessRecordOf, principalOf } from '#nest-backbone';
import { READ_ACCESS_LOG, READ_CASE, READ_IDENTITY, READ_JOURNEY, READ_ORDER } from './journey-api-operations';
import type { ReadStore } from '#read-store';
import { parseReadQuery, parseTimeRange, type RawReadQuery } from './read-query';

/** The read side every channel uses; every answer carries `Journey-Position`. */
@Controller('v1')
export class JourneyController {
  constructor(
    private readonly reader: JourneyReader,
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    private readonly accessLog: AccessLogRecorder,
    @Inject(READ_STORE) private readonly store: ReadStore,
  ) {}

  @Get('customers/:customerId/journey')
  @RequiresAccess('journeys:read')
  @ApiOperation(READ_JOURNEY)
  async journey(@Param('customerId') customerId: string, @Query() query: RawReadQuery, @Res() reply: FastifyReply) {
    this.send(reply, await this.reader.journey(customerId, this.options(query)), customerId, query.channel);
  }

  @Get('orders/:orderId')
  @RequiresAccess('journeys:read')
  @ApiOperation(READ_ORDER)
  async order(@Param('orderId') orderId: string, @Query() query: RawReadQuery, @Res() reply: FastifyReply) {
    const read = await this.reader.order(orderId, this.options(query));
    this.send(reply, read, read.body.customerId, query.channel);
  }

  @Get('cases/:caseId')
  @RequiresAccess('journeys:read')
  @ApiOperation(READ_CASE)
  async case(@Param('caseId') caseId: string, @Query() query: RawReadQuery, @Res() reply: FastifyReply) {
    const read = await this.reader.case(caseId, this.options(query));
    this.send(reply, read, read.body.customerId, query.channel);
  }

  @Get('identities/:kind/:value')
  @RequiresAccess('journeys:read')
  @ApiOperation(READ_IDENTITY)
  async identity(@Param('kind') kind: string, @Param('value') value: string, @Res() reply: FastifyReply) {
    const read = await this.reader.identity(kind, value);
    this.send(reply, read, read.body.customerId, undefined);
  }

  @Get('customers/:customerId/access-log')
  @RequiresAccess('privacy:read')
  @ApiOperation(READ_ACCESS_LOG)
  async accessLogOf(
    @Param('customerId') customerId: string,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
  ) {
    const range = { ...parseTimeRange({ from, to }), limit: ACCESS_LOG_PAGE };
    // Every record queued before this read is in the answer.
    await this.accessLog.flush();
    return { customerId, entries: await this.store.accessLog(customerId, range) };
  }

  /**
   * Answers a read of a customer's data: recorded in the access log (who, which customer, route, channel, purpose,
   * position), then sent, masked (identity values, emails, phone numbers and names in free text) without `pii:read`.
   */
  private send<T>(reply: FastifyReply, read: Read<T>, customerId: string, channel: string | undefined): void {
    const request = reply.request;
    const principal = principalOf(request);
    this.accessLog.record(accessRecordOf(request, principal, customerId, channel, read.position));
    if (read.position !== null) reply.header('Journey-Position', read.position);
    const clear = principal !== null && hasScope(principal, 'pii:read');
    reply.code(200).send(clear ? read.body : redact(read.body));
  }

  private options(query: RawReadQuery) {
    const options = parseReadQuery(query);
    if (options.minPosition !== undefined) {
      try {
        this.log.positions.validate(options.minPosition);
      } catch (error) {
        throw new BackboneError('invalid_position', `minPosition: ${(error as Error).message}`, {
          details: { parameter: 'minPosition' },
        });
      }
    }
    return options;
  }
}

/** The most records one access-log answer holds (newest first). */
const ACCESS_LOG_PAGE = 1000;
