import { z } from 'zod';
import { Currency, Id, IsoTime, MinorUnits, ReturnItem } from '../common';
import { notPersonal, personal } from '../personal-data';

const PolicyVersion = z.number().int().positive().max(999_999_999);

export const ReturnRequestedV1 = z.strictObject({
  returnId: Id,
  orderId: Id,
  items: z.array(ReturnItem).min(1, 'a return names at least one item'),
  reason: personal(z.string().min(1)),
});

export const ReturnApprovedV1 = z.strictObject({
  returnId: Id,
  orderId: Id,
  policyId: Id,
  policyVersion: PolicyVersion,
});

export const ReturnRejectedV1 = z.strictObject({
  returnId: Id,
  orderId: Id,
  policyId: Id,
  policyVersion: PolicyVersion,
  reason: personal(z.string().min(1)),
});

export const ReturnReceivedV1 = z.strictObject({ returnId: Id, orderId: Id });

export const RefundIssuedV1 = z.strictObject({
  refundId: Id,
  orderId: Id,
  returnId: Id.optional(),
  amount: MinorUnits.positive('must be above zero'),
  currency: Currency,
});

export const PolicyPublishedV1 = z
  .object({
    policyId: Id,
    version: PolicyVersion,
    kind: z.enum(['returns', 'shipping', 'pricing']),
    wording: notPersonal(z.string().min(1), "a policy's published wording"),
    rules: z.object({ returnWindowDays: z.number().int().nonnegative().optional() }).catchall(z.unknown()),
    effectiveFrom: IsoTime,
  })
  .superRefine((policy, ctx) => {
    if (policy.kind === 'returns' && policy.rules.returnWindowDays === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', 'returnWindowDays'],
        message: 'a returns policy needs returnWindowDays',
      });
    }
  });
