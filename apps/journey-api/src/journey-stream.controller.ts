import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { JourneyReader, ProjectionProgress } from '../../../libs/journey-read/src';
import { Metrics, countHttpRequest } from '../../../libs/nest-backbone/src';
import { parseReadQuery, type RawReadQuery } from './read-query';
import { WakeableSleep } from '../../../libs/wakeable-sleep/src';

const POLL_MS = 250;
const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/customers/{id}/journey/stream`: Server-Sent Events, one `journey` message per change of
 * the view (the current view first). Changes are noticed at once from a projector in this process
 * and by polling the document's position otherwise (projector in another process).
 */
@Controller('v1')
export class JourneyStreamController {
  constructor(
    private readonly reader: JourneyReader,
    private readonly progress: ProjectionProgress,
    private readonly metrics: Metrics,
  ) {}

  @Get('customers/:customerId/journey/stream')
  async stream(@Param('customerId') customerId: string, @Query() query: RawReadQuery, @Res() reply: FastifyReply) {
    const { channel } = parseReadQuery({ channel: query.channel });
    // The stream is written by hand: Fastify leaves the response alone from here on.
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    response.write('retry: 1000\n\n');

    let closed = false;
    const nap = new WakeableSleep();
    const unsubscribe = this.progress.onProgress(() => nap.wake());
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
    response.on('close', () => {
      closed = true;
      nap.wake();
    });
    let sent: string | null | undefined;
    try {
      while (!closed) {
        const position = await this.reader.journeyPosition(customerId);
        if (position !== undefined && position !== sent) {
          const read = await this.reader.journey(customerId, { channel });
          sent = position;
          response.write(`id: ${read.position ?? ''}\nevent: journey\ndata: ${JSON.stringify(read.body)}\n\n`);
        }
        await nap.sleep(POLL_MS);
      }
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
      response.end();
      countHttpRequest(this.metrics, reply.request, 200);
    }
  }
}
