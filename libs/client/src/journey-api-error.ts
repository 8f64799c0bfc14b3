import type { ErrorBody } from '#schemas';
import type { z } from 'zod';

/** What the API answered when it refused: its status, the contract's `code` and the field errors. */
export class JourneyApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly errors: z.infer<typeof ErrorBody>['errors'],
  ) {
    super(`${status} ${code}${errors[0] ? `: ${errors[0].path}: ${errors[0].message}` : ''}`);
    this.name = 'JourneyApiError';
  }

  /** Worth sending again unchanged: the backbone or its log or store was unavailable for a moment. */
  get retriable(): boolean {
    return this.status === 503 || this.status === 429 || this.status === 408;
  }
}

/** The backbone could not be reached at all (refused, reset, timed out): worth trying again. */
export class JourneyUnreachableError extends Error {
  constructor(cause: unknown) {
    super(`the journey backbone cannot be reached: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'JourneyUnreachableError';
  }
}
