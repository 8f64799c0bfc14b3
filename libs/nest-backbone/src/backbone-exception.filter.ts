import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BackboneError, type ErrorCode } from '#errors';
import { IngestionError } from '#ingestion';
import { errorFields, type StructuredLogger } from '#logging';
import { STATUS_BY_CODE } from './http-status';

/** Every error leaves as `{"code", "errors":[{index?, path, message}]}` with its mapped status. */
@Catch()
export class BackboneExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: StructuredLogger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // Already answering (a stream under way): the error can only end it.
    if (reply.sent || reply.raw.headersSent) {
      if (!reply.raw.writableEnded) reply.raw.end();
      logError(this.logger, reply, 500, 'internal_error', error);
      return;
    }
    sendError(reply, error, this.logger);
  }
}

/** An error of Fastify's own (it carries the status it wants): as one of the contract's codes. */
function frameworkCode(error: unknown): ErrorCode | null {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (status === 413) return 'payload_too_large';
  if (status === 408) return 'request_timeout';
  if (status === 404) return 'not_found';
  return 'invalid_request';
}

/**
 * Answers with the error's status and body; also for errors Fastify meets before any controller.
 * Server-side failures (5xx) leave one JSON log line with their code, never with the request's
 * data or URL; a client's mistakes (4xx) are its answer, and a debug line at most.
 */
export function sendError(reply: FastifyReply, error: unknown, logger: StructuredLogger): void {
  let code: ErrorCode;
  let body: { code: ErrorCode; errors: unknown[] };
  const framework = frameworkCode(error);
  if (error instanceof BackboneError) {
    code = error.code;
    const errors =
      error instanceof IngestionError
        ? error.errors
        : Array.isArray(error.details)
          ? (error.details as unknown[])
          : [{ path: pathOf(error), message: error.message }];
    body = { code, errors };
    if (code === 'unauthenticated') reply.header('WWW-Authenticate', 'Bearer');
    if (
      code === 'not_caught_up' ||
      code === 'log_unavailable' ||
      code === 'store_unavailable' ||
      code === 'too_many_streams'
    )
      reply.header('Retry-After', '1');
  } else if (error instanceof HttpException && error.getStatus() === 404) {
    code = 'not_found';
    body = { code, errors: [{ path: '(request)', message: error.message }] };
  } else if (framework) {
    code = framework;
    body = { code, errors: [{ path: '(request)', message: (error as Error).message }] };
  } else {
    code = 'internal_error';
    body = { code, errors: [{ path: '(server)', message: 'internal error' }] };
  }
  const status = STATUS_BY_CODE[code];
  // A body refused before its end: the rest of it is not read, so the connection cannot carry another request.
  if (!reply.request.raw.complete && code !== 'request_aborted') closeAfterAnswer(reply);
  logError(logger, reply, status, code, error);
  if (code === 'request_aborted') {
    // Nobody is listening; counted (metrics) but not answered.
    reply.raw.destroy();
    return;
  }
  void reply.code(status).send(body);
}

/**
 * How long, and how many more bytes, a connection is read (and discarded) after answering a request whose body was
 * refused.
 */
const LINGER_MS = 2000;
const LINGER_BYTES = 4 * 1_048_576;

/**
 * Closes the connection once the answer is out, as a web server's lingering close does: the
 * sending side first, then a moment of reading what the client still sends (discarded, and
 * bounded), then the socket. Closed at once, the client's unread bytes would make the kernel
 * reset the connection, and the client could lose the answer it was about to read.
 */
function closeAfterAnswer(reply: FastifyReply): void {
  const socket = reply.request.raw.socket;
  // Said in the answer, so that a keep-alive client does not send its next request on a connection being closed.
  reply.header('connection', 'close');
  // Node closes such a connection at once when the answer is written (its socket's destroySoon), which resets it while
  // the client still sends, and the client may lose the answer: the lingering close below takes its place.
  Object.assign(socket, { destroySoon: () => socket.end() });
  reply.raw.once('finish', () => {
    let drained = 0;
    const close = () => socket.destroy();
    socket.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > LINGER_BYTES) close();
    });
    socket.end();
    setTimeout(close, LINGER_MS).unref();
  });
}

function logError(logger: StructuredLogger, reply: FastifyReply, status: number, code: string, error: unknown): void {
  const fields = {
    code,
    status,
    method: reply.request.method,
    route: reply.request.routeOptions.url ?? 'unmatched',
    reqId: reply.request.id,
  };
  if (status >= 500) logger.error({ ...fields, error: errorFields(error) }, 'request failed');
  else logger.debug(fields, 'request refused');
}

function pathOf(error: BackboneError): string {
  const details = error.details as { parameter?: string } | undefined;
  return details?.parameter ?? '(request)';
}
