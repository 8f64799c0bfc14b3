import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { ErrorCode } from '#errors';
import { STATUS_BY_CODE } from './http-status';

/** What Node's HTTP parser refuses before any route sees the request, as the contract's codes. */
function codeOf(error: NodeJS.ErrnoException): { code: ErrorCode; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers_too_large', message: 'the request headers are over the size limit' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', message: 'the request (headers and body) did not arrive in time' };
    default:
      // The parser's reason (HPE_INVALID_METHOD, ...) says which rule the bytes broke.
      return {
        code: 'invalid_request',
        message: `the request is not valid HTTP/1.1${error.code ? ` (${error.code})` : ''}`,
      };
  }
}

/**
 * Answers a request Node could not parse, or that did not arrive in time, in the contract's error
 * shape (Node and Fastify would answer bare `400`/`431` bodies of their own), then closes the
 * connection: what follows on it cannot be trusted to start a request.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { code, message } = codeOf(error);
  const status = STATUS_BY_CODE[code];
  const body = JSON.stringify({ code, errors: [{ path: '(request)', message }] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ` +
      `application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroySoon?.();
}
