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
    if (!(error instanceof BackboneError) && !(error instanceof HttpException)) {
      this.logger.error(error instanceof Error ? error.stack ?? error.message : String(error));
    }
    sendError(reply, error);
  }
}

/** Answers with the error's status and body; also for errors Fastify meets before any controller. */
export function sendError(reply: FastifyReply, error: unknown): void {
  if (error instanceof BackboneError) {
    const errors = error instanceof IngestionError ? error.errors : [{ path: pathOf(error), message: error.message }];
    if (error.code === 'not_caught_up') reply.header('Retry-After', '1');
    void reply.code(STATUS_BY_CODE[error.code]).send({ code: error.code, errors });
  } else if (error instanceof HttpException) {
    const status = error.getStatus();
    void reply.code(status).send({ code: status === 404 ? 'not_found' : 'http_error', errors: [{ path: '(request)', message: error.message }] });
  } else {
    void reply.code(500).send({ code: 'internal_error', errors: [{ path: '(server)', message: 'internal error' }] });
  }
}

function pathOf(error: BackboneError): string {
  const details = error.details as { parameter?: string } | undefined;
  return details?.parameter ?? '(request)';
}
