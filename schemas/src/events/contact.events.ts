import { z } from 'zod';
import { Channel, Id, IsoTime, MinorUnits } from '../common';

export const ContactOpenedV1 = z.object({
  caseId: Id,
  contactId: Id,
  channel: Channel,
  reason: z.string().min(1),
  orderId: Id.optional(),
  tags: z.array(z.string().min(1)),
  summary: z.string().optional(),
});

export const ContactHandedOffV1 = z.object({
  caseId: Id,
  contactId: Id,
  fromChannel: Channel,
  toChannel: Channel,
  toTeam: z.string().optional(),
  contextSummary: z.string().optional(),
});

export const ContactResolvedV1 = z.object({ caseId: Id, resolution: z.string().min(1) });
export const ContactReopenedV1 = z.object({ caseId: Id, reason: z.string().min(1) });

export const PromiseMadeV1 = z.object({
  caseId: Id,
  promiseId: Id,
  text: z.string().min(1),
  dueAt: IsoTime,
  owner: z.string().min(1),
});

export const PromiseKeptV1 = z.object({ caseId: Id, promiseId: Id });

export const FeedbackReceivedV1 = z.object({
  caseId: Id.optional(),
  score: z.number().int().min(1).max(5),
  verbatim: z.string().optional(),
});

export const ChannelMessageSentV1 = z.object({
  channel: Channel,
  templateId: z.string().min(1),
  orderId: Id.optional(),
  shown: z.object({
    status: z.string().optional(),
    total: MinorUnits.optional(),
    policyVersion: z.number().int().positive().optional(),
  }),
});
