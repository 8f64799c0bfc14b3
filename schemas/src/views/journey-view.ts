import { z } from 'zod';
import { CHANNELS, Channel, Currency, MinorUnits, OrderItem, Totals } from '../common';
import { personal } from '../personal-data';

/**
 * The read side of the wire contract (docs/wire-contract.md): what every channel reads. Fields that repeat personal
 * data of the events (or words built from it) are declared personal: masked without `pii:read`.
 */
export const StatusView = z.object({ code: z.string(), label: z.string(), expect: z.string() });

export const PromiseView = z.object({
  promiseId: z.string(),
  text: personal(z.string()),
  dueAt: z.string(),
  owner: z.string(),
  state: z.enum(['open', 'kept', 'overdue']),
});

export const OrderView = z.object({
  orderId: z.string(),
  channel: Channel,
  placedAt: z.string(),
  currency: Currency,
  items: z.array(OrderItem),
  totals: Totals,
  status: StatusView,
  eta: z.string().nullable(),
  etaHistory: z.array(z.object({ eta: z.string(), reason: z.string().nullable(), at: z.string() })),
  policy: z.object({
    returns: z
      .object({
        policyId: z.string(),
        version: z.number(),
        wording: z.string(),
        returnWindowDays: z.number().nullable(),
      })
      .nullable(),
  }),
  returnEligibility: z.object({
    eligible: z.boolean(),
    until: z.string().nullable(),
    policyVersion: z.number().nullable(),
    reason: z.string(),
  }),
  returns: z.array(z.object({ returnId: z.string(), status: z.string(), policyVersion: z.number().nullable() })),
  refunded: MinorUnits,
  timeline: z.array(z.object({ type: z.string(), time: z.string(), summary: personal(z.string()) })),
});

export const CaseView = z.object({
  caseId: z.string(),
  status: z.enum(['open', 'resolved']),
  channels: z.array(Channel),
  lastReason: personal(z.string()),
  tags: z.array(z.string()),
  handoffs: z.array(
    z.object({ fromChannel: Channel, toChannel: Channel, contextSummary: personal(z.string()).nullable() }),
  ),
  promises: z.array(PromiseView),
});

export const ChannelMessage = z.object({
  channel: z.enum(CHANNELS),
  templateId: z.string(),
  text: personal(z.string()),
});

export const JourneyView = z.object({
  customerId: z.string(),
  position: z.string().nullable(),
  asOf: z.string(),
  card: z.object({
    lastOrder: z.object({ orderId: z.string(), status: z.string(), total: MinorUnits, currency: Currency }).nullable(),
    openCase: z.object({ caseId: z.string(), channels: z.array(Channel) }).nullable(),
    lastContactReason: personal(z.string()).nullable(),
    promises: z.array(PromiseView),
    nextStep: z.object({ text: personal(z.string()), by: z.string().optional() }),
    helpPath: z.object({ text: z.string() }),
    recoveryPath: z.object({ text: z.string() }),
  }),
  orders: z.array(OrderView),
  cases: z.array(CaseView),
  messages: z.array(ChannelMessage).optional(),
});

export type JourneyView = z.infer<typeof JourneyView>;
export type OrderView = z.infer<typeof OrderView>;
export type CaseView = z.infer<typeof CaseView>;
export type PromiseView = z.infer<typeof PromiseView>;
export type ChannelMessage = z.infer<typeof ChannelMessage>;

export const ErrorBody = z.object({
  errors: z.array(z.object({ index: z.number().optional(), path: z.string(), message: z.string() })),
  /** Every error answer has one (`validation_failed`, `not_found`, ...): what a client branches on. */
  code: z.string().min(1).describe('what went wrong, for a program: validation_failed, not_found, erased, ...'),
});
