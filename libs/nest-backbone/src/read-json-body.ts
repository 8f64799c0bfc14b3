import type { Request } from 'express';
import { BackboneError } from '../../errors/src';
import { IngestionError } from '../../ingestion/src';

const JSON_TYPES = /^application\/(json|cloudevents\+json|cloudevents-batch\+json)\b/i;

/**
 * Reads and parses a JSON request body with a byte limit. Done here rather than by a body-parser
 * middleware so that both failures answer in the contract's error shape (413, 400).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!JSON_TYPES.test(type)) {
    throw new IngestionError('validation_failed', 'unsupported content type', [
      { index: 0, path: '(body)', message: `content-type must be application/json or application/cloudevents+json, not "${type}"` },
    ]);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is still drained (not kept), so the client reads our 413 instead of a reset.
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) throw tooLarge(maxBytes);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new IngestionError('validation_failed', 'malformed JSON', [
      { index: 0, path: '(body)', message: `malformed JSON: ${(error as Error).message}` },
    ]);
  }
}

function tooLarge(maxBytes: number): BackboneError {
  return new IngestionError('payload_too_large', 'request body too large', [
    { index: 0, path: '(body)', message: `the body is over the limit of ${maxBytes} bytes` },
  ]);
}
