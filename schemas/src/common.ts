import { z } from 'zod';

/** Ids are non-empty strings chosen by the producer. */
export const Id = z.string().trim().min(1, 'must be a non-empty string').max(200);

/** ISO-8601 UTC timestamp (`2026-01-31T10:00:00Z`, fractional seconds allowed). */
export const IsoTime = z.iso.datetime({ message: 'must be an ISO-8601 UTC time such as 2026-01-31T10:00:00Z' });

/** Money is an integer amount in minor units; its currency travels beside it. */
export const MinorUnits = z.number().int('must be an integer in minor units').nonnegative();

/** ISO 4217 alphabetic code. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

export const CHANNELS = ['web', 'email', 'chat', 'phone', 'store'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const OrderItem = z.object({
  sku: Id,
  name: z.string().min(1),
  qty: z.number().int().positive(),
  unitPrice: MinorUnits,
});
export type OrderItem = z.infer<typeof OrderItem>;

export const Totals = z.object({
  subtotal: MinorUnits,
  discount: MinorUnits,
  shipping: MinorUnits,
  fees: MinorUnits,
  tax: MinorUnits,
  total: MinorUnits,
});
export type Totals = z.infer<typeof Totals>;

export const ReturnItem = z.object({ sku: Id, qty: z.number().int().positive() });
