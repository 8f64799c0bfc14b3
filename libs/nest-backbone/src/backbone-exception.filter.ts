import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BackboneError } from '../../errors/src';
import { IngestionError } from '../../ingestion/src';
import { STATUS_BY_CODE } from './http-status';

/** Every error leaves as `{"code", "errors":[{index?, path, message}]}` with its mapped status. */
@Catch()
export class BackboneExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // Already answering (a stream under way): the error can only end it.
    if (reply.sent || reply.raw.headersSent) {
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    if (error instanceof BackboneError) {
      const status = STATUS_BY_CODE[error.code];
      const errors = error instanceof IngestionError ? error.errors : [{ path: pathOf(error), message: error.message }];
      if (error.code === 'not_caught_up') reply.header('Retry-After', '1');
      reply.code(status).send({ code: error.code, errors });
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      reply.code(status).send({ code: status === 404 ? 'not_found' : 'http_error', errors: [{ path: '(request)', message: error.message }] });
      return;
    }
    this.logger.error(error instanceof Error ? error.stack ?? error.message : String(error));
    reply.code(500).send({ code: 'internal_error', errors: [{ path: '(server)', message: 'internal error' }] });
  }
}

function pathOf(error: BackboneError): string {
  const details = error.details as { parameter?: string } | undefined;
  return details?.parameter ?? '(request)';
}
