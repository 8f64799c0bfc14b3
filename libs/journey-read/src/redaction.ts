/**
 * Personal data in reads and exports: what customers and agents type (verbatims, reasons, summaries, promise texts)
 * and identity values. The one masking of the backbone: reads without `pii:read` (HTTP and SSE) and the CLI without
 * --include-pii. Pure functions: the rules are tested on their own.
 */
import { PERSONAL_TEXT_FIELDS, isIdentityKind } from '#schemas';

/**
 * Fields whose text is written by people, where an email, a phone number or a name may appear: those the catalog and
 * the view schemas declare personal.
 */
const FREE_TEXT_KEYS = PERSONAL_TEXT_FIELDS;

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/gi;
/** A run of digits with the separators people type; a phone number when it holds 9 digits or more. */
const PHONE_CANDIDATE = /(?<![\w+])\+?\(?\d[\d\s().-]{6,}\d(?!\w)/g;
/**
 * A capitalised name after the words that introduce or sign one ("my name is", "spoke to",
 * "Mrs.", "Thanks,"). A name with no such cue is not recognised: the free-text fields are masked
 * for emails and phone numbers in any case.
 */
const CUES = [
  'my name is',
  'this is',
  'i am',
  "i'm",
  'ask for',
  'speak to',
  'spoke to',
  'talked to',
  'mr',
  'mr.',
  'mrs',
  'mrs.',
  'ms',
  'ms.',
  'dr',
  'dr.',
  'regards,',
  'thanks,',
  'cheers,',
];
/** A cue as a pattern that matches it in any case (the name after it keeps its capital). */
function caseInsensitiveCue(cue: string): string {
  return cue.replace(/\./g, '\\.').replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

const NAME_AFTER_CUE = new RegExp(
  `(?<![\\w])(${CUES.map(caseInsensitiveCue).join('|')})(\\s+)([A-Z][a-zà-ÿ'-]+(?:\\s+[A-Z][a-zà-ÿ'-]+)*)`,
  'g',
);

export function redactText(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(PHONE_CANDIDATE, (match) => ((match.match(/\d/g) ?? []).length >= 9 ? '[phone]' : match))
    .replace(NAME_AFTER_CUE, (_match, cue: string, space: string) => `${cue}${space}[name]`);
}

/** A copy of `value` with free-text fields and identity values masked (`identity.linked` data, a view's identities). */
export function redact<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') return key !== undefined && FREE_TEXT_KEYS.has(key) ? redactText(value) : value;
  if (Array.isArray(value)) return value.map((item) => walk(item, key));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  // An identity (`identity.linked` data, or an entry of a view's identities): the value is the person.
  if (typeof object.kind === 'string' && typeof object.value === 'string' && isIdentityKind(object.kind)) {
    return { ...object, value: `[${object.kind}]` };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) out[k] = walk(v, k);
  return out;
}
