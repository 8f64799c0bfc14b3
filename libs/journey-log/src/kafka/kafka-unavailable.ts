import { BackboneError } from '#errors';

/** A failure of Kafka (or of the index beside it) as the port reports it: retriable, the log is unavailable. */
export function unavailable(error: unknown): BackboneError {
  if (error instanceof BackboneError) return error;
  return new BackboneError(
    'log_unavailable',
    `the Kafka journey log is unavailable: ${(error as Error)?.message ?? String(error)}`,
    { retriable: true, cause: error },
  );
}
