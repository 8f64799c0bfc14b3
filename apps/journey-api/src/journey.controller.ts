import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BackboneError } from '#errors';
import type { JourneyLog } from '#journey-log';
import { hasScope } from '#auth';
import { JourneyReader, redact, type Read } from '#journey-read';
import { JOURNEY_LOG, RequiresAccess, principalOf } from '#nest-backbone';
import { parseReadQuery, type RawReadQuery } from './read-query';

/** The read side every channel uses; every answer carries `Journey-Position`. */
@Controller('v1')
export class JourneyController {
  constructor(
    private readonly reader: JourneyReader,
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
  ) {}

  @Get('customers/:customerId/journey')
  @RequiresAccess('journeys:read')
  async journey(@Param('customerId') customerId: string, @Query() query: RawReadQuery, @Res() reply: FastifyReply) {
    send(reply, await this.reader.journey(customerId, this.options(query)));
  }

  @Get('orders/:orderId')
  @RequiresAccess('journeys:read')
  async order(@Param('orderId') orderId: string, @Query() query: RawReadQuery, @Res() reply: FastifyReply) {
    send(reply, await this.reader.order(orderId, this.options(query)));
  }

  @Get('cases/:caseId')
  @RequiresAccess('journeys:read')
  async case(@Param('caseId') caseId: string, @Query() query: RawReadQuery, @Res() reply: FastifyReply) {
    send(reply, await this.reader.case(caseId, this.options(query)));
  }

  @Get('identities/:kind/:value')
  @RequiresAccess('journeys:read')
  async identity(@Param('kind') kind: string, @Param('value') value: string, @Res() reply: FastifyReply) {
    send(reply, await this.reader.identity(kind, value));
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

/** The answer, masked (identity values, emails, phone numbers and names in free text) without `pii:read`. */
function send<T>(reply: FastifyReply, read: Read<T>): void {
  if (read.position !== null) reply.header('Journey-Position', read.position);
  const principal = principalOf(reply.request);
  const clear = principal !== null && hasScope(principal, 'pii:read');
  reply.code(200).send(clear ? read.body : redact(read.body));
}
