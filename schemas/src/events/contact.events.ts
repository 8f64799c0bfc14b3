import { z } from 'zod';
import { Channel, Id, IsoTime, MinorUnits } from '../common';
import { notPersonal, personal } from '../personal-data';

export const ContactOpenedV1 = z.strictObject({
  caseId: Id,
  contactId: Id,
  channel: Channel,
  // The unity metrics compare reasons (a repeat contact): compared by a keyed hash, which survives an erasure.
  reason: personal(z.string().min(1), { compared: true }),
  orderId: Id.optional(),
  tags: z.array(notPersonal(z.string().min(1), 'a label from a fixed vocabulary (confusion, repeat...)')),
  summary: personal(z.string()).optional(),
});

export const ContactHandedOffV1 = z.strictObject({
  caseId: Id,
  contactId: Id,
  fromChannel: Channel,
  toChannel: Channel,
  toTeam: notPersonal(z.string(), 'a team name').optional(),
  contextSummary: personal(z.string()).optional(),
});

export const ContactResolvedV1 = z.strictObject({ caseId: Id, resolution: personal(z.string().min(1)) });
export const ContactReopenedV1 = z.strictObject({ caseId: Id, reason: personal(z.string().min(1)) });

export const PromiseMadeV1 = z.strictObject({
  caseId: Id,
  promiseId: Id,
  text: personal(z.string().min(1)),
  dueAt: IsoTime,
  owner: notPersonal(z.string().min(1), 'the team or agent id that owns the promise'),
});

export const PromiseKeptV1 = z.strictObject({ caseId: Id, promiseId: Id });

export const FeedbackReceivedV1 = z.strictObject({
  caseId: Id.optional(),
  score: z.number().int().min(1).max(5),
  verbatim: personal(z.string()).optional(),
});

export const ChannelMessageSentV1 = z.strictObject({
  channel: Channel,
  templateId: notPersonal(z.string().min(1), 'a template id'),
  orderId: Id.optional(),
  shown: z.strictObject({
    status: notPersonal(z.string(), 'a status label').optional(),
    total: MinorUnits.optional(),
    policyVersion: z.number().int().positive().optional(),
  }),
});

/**
 * v2: the text the customer was sent, word for word (an email's body): personal, since a template may carry what a
 * person said (a promise's text); sealed under the customer's key and erased with them.
 */
export const ChannelMessageSentV2 = ChannelMessageSentV1.extend({
  text: personal(z.string().min(1).max(20_000)).optional(),
});

/** v1 had no text: what was sent is known by its facts only. */
export function upcastChannelMessageSentV1(
  data: z.infer<typeof ChannelMessageSentV1>,
): z.infer<typeof ChannelMessageSentV2> {
  return data;
}
