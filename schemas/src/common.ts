import { z } from 'zod';
import { VISIBLE_TEXT, invisibleCharacter } from './json-safety';
import { notPersonal } from './personal-data';

/**
 * Text that names something (an id, a source, an identity value): no character that cannot be
 * seen. The message, built only on failure, names the first one found.
 */
export function visibleText<T extends z.ZodString>(schema: T) {
  return schema.regex(VISIBLE_TEXT, {
    error: (issue) =>
      `must not contain invisible or control characters (found ${invisibleCharacter(String(issue.input))})`,
  });
}

/**
 * Ids are non-empty strings chosen by the producer, without invisible characters (two ids that look the same are the
 * same).
 */
export const Id = notPersonal(
  visibleText(z.string().trim().min(1, 'must be a non-empty string').max(200)),
  'an id chosen by a producer',
);

/**
 * ISO-8601 UTC timestamp (`2026-01-31T10:00:00Z`, fractional seconds allowed). Impossible dates (`02-30`, `24:00`) are
 * refused.
 */
export const IsoTime = notPersonal(
  z.iso.datetime({ message: 'must be an ISO-8601 UTC time such as 2026-01-31T10:00:00Z' }),
  'a time',
);

/**
 * An event's `time` as RFC 3339 allows it: UTC (`Z`) or with an offset (`+01:00`); the backbone stores it in UTC
 * (`utcTime`).
 */
export const IsoTimeWithOffset = notPersonal(
  z.iso.datetime({
    offset: true,
    message: 'must be an ISO-8601 time such as 2026-01-31T10:00:00Z (or with an offset, 2026-01-31T11:00:00+01:00)',
  }),
  'a time',
);

/** A valid RFC 3339 time in UTC: unchanged when it is already, else shifted to `Z` with its fraction kept. */
export function utcTime(text: string): string {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(text);
  if (!offset) return text;
  const fraction = /\.\d+/.exec(text)?.[0] ?? '';
  const wholeSeconds = text.slice(0, 19);
  const sign = offset[1] === '+' ? -1 : 1;
  const shifted = Date.parse(`${wholeSeconds}Z`) + sign * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
  return `${new Date(shifted).toISOString().slice(0, 19)}${fraction}Z`;
}

const IsoInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/**
 * A time as people type it (a date, or a time in UTC or with an offset), checked for real dates
 * (`Date.parse` rolls `2026-02-30` over into March), normalised to UTC; null when it is not one.
 */
export function parseIsoInstant(text: string, options: { utcOnly?: boolean } = {}): string | null {
  const valid = (options.utcOnly ? IsoTime : IsoInstant).safeParse(text).success;
  return valid ? new Date(text).toISOString() : null;
}

/** Money is an integer amount in minor units; its currency travels beside it. */
export const MinorUnits = z
  .number()
  .int('must be an integer in minor units')
  .nonnegative()
  .describe('an amount in minor units of its currency (cents for EUR: 12855 is EUR 128.55)');

/** ISO 4217 alphabetic code. */
export const Currency = notPersonal(
  z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  'a currency',
);

export const CHANNELS = ['web', 'email', 'chat', 'phone', 'store'] as const;

/** The kinds of identity a customer links: an email address, a phone number, an account id elsewhere. */
export const IDENTITY_KINDS = ['email', 'phone', 'account'] as const;
export const IdentityKind = z.enum(IDENTITY_KINDS);
export type IdentityKind = z.infer<typeof IdentityKind>;

/** Whether a string names one of the identity kinds. */
export function isIdentityKind(kind: string): kind is IdentityKind {
  return (IDENTITY_KINDS as readonly string[]).includes(kind);
}
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const OrderItem = z.strictObject({
  sku: Id,
  name: notPersonal(z.string().min(1), "a product's name"),
  qty: z.number().int().positive(),
  unitPrice: MinorUnits,
});
export type OrderItem = z.infer<typeof OrderItem>;

export const Totals = z.strictObject({
  subtotal: MinorUnits,
  discount: MinorUnits,
  shipping: MinorUnits,
  fees: MinorUnits,
  tax: MinorUnits,
  total: MinorUnits,
});
export type Totals = z.infer<typeof Totals>;

export const ReturnItem = z.strictObject({ sku: Id, qty: z.number().int().positive() });
