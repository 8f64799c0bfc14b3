import { z } from 'zod';
import { Id, IsoTimeWithOffset, visibleText } from './common';

/**
 * CloudEvents 1.0 structured envelope, with the journey extensions.
 * `subject` is the journey id: the customer id, or `policy/<policyId>` for policies.
 */
export const EnvelopeSchema = z.object({
  specversion: z.literal('1.0', { message: 'must be "1.0" (CloudEvents 1.0)' }),
  id: Id,
  source: visibleText(z.string().min(1, 'must name the producing service').max(1000)),
  type: z.string().min(1),
  subject: Id,
  time: IsoTimeWithOffset,
  datacontenttype: z.literal('application/json').optional(),
  schemaversion: z.number().int().positive().optional(),
  correlationid: Id.optional(),
  causationid: Id.optional(),
  /**
   * The key the event's personal fields are encrypted under (its subject's data key): set by the backbone as it
   * appends, never by a producer (see the access and privacy design).
   */
  personaldatakey: Id.optional(),
  data: z.unknown(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

export const POLICY_SUBJECT_PREFIX = 'policy/';
