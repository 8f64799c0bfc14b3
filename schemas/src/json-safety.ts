/**
 * What every stored text and structure must be, checked before any schema: the log, the event
 * index and the read stores keep JSON, and PostgreSQL refuses a NUL character in text and an
 * unpaired surrogate in JSON. Such an event, accepted once, stopped every projection on
 * PostgreSQL; here it is refused at the door, naming the field, on every adapter alike.
 */

/** Deepest nesting of objects and arrays an event may have (the deepest the catalog uses is 4). */
export const MAX_JSON_DEPTH = 32;
/** Problems reported per event before the check stops looking. */
const MAX_PROBLEMS = 20;

export interface JsonProblem {
  path: string;
  message: string;
}

/**
 * `String.prototype.isWellFormed` (ES2024, native in Node 20): false when the text holds an
 * unpaired UTF-16 surrogate, which is not a Unicode character and has no UTF-8 form.
 */
const wellFormed = (text: string) => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** Why this text cannot be stored as it is, or null when it can. */
export function unstorableText(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored';
  if (!wellFormed(text)) return 'contains an unpaired UTF-16 surrogate, which is not a Unicode character';
  return null;
}

/**
 * The text with what cannot be stored written as escapes (`\u0000`), for diagnostics (a parked event's id and error).
 */
export function storableText(text: string): string {
  if (unstorableText(text) === null) return text;
  return text.replace(
    // eslint-disable-next-line no-control-regex -- NUL is what this escapes
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Characters that cannot be seen, or look like a plain space: controls, format characters
 * (zero-width, bidirectional overrides, BOM), private use, line and paragraph separators, and
 * spaces other than U+0020. An id holding one looks identical to another id and is refused.
 */
const INVISIBLE_CLASS =
  String.raw`\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}` +
  String.raw`\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f`;
// eslint-disable-next-line no-misleading-character-class -- the class lists combining marks on purpose, one by one
const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`, 'u');

/**
 * Text holding none of them: the form a schema's regex check takes (a refinement cost about four times as much per
 * field).
 */
// eslint-disable-next-line no-misleading-character-class -- as INVISIBLE
export const VISIBLE_TEXT = new RegExp(`^[^${INVISIBLE_CLASS}]*$`, 'u');

/** Printable ASCII, space included: nothing invisible (the usual id, tested before the Unicode classes). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Names the first invisible character of `text` (as U+XXXX), or null when there is none. */
export function invisibleCharacter(text: string): string | null {
  if (PRINTABLE_ASCII.test(text)) return null;
  const match = INVISIBLE.exec(text);
  if (!match) return null;
  return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A place in the value being checked: its path is spelled out only when a problem is found there. */
interface Place {
  value: unknown;
  parent: Place | null;
  key: string | number;
  depth: number;
}

function pathOf(place: Place): string {
  const parts: string[] = [];
  for (let p: Place | null = place; p !== null && p.parent !== null; p = p.parent) {
    parts.push(typeof p.key === 'number' || /^[A-Za-z_$][\w$-]*$/.test(p.key) ? String(p.key) : JSON.stringify(p.key));
  }
  return parts.length === 0 ? '(event)' : parts.reverse().join('.');
}

/**
 * Whether `value` holds nothing `jsonProblems` would report: every event goes through it, so it
 * allocates nothing. Recursive, but never deeper than `maxDepth` (it stops there).
 */
function storable(value: unknown, depth: number, maxDepth: number): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && wellFormed(value);
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth >= maxDepth) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!storable(item, depth + 1, maxDepth)) return false;
    return true;
  }
  for (const key in value) {
    if (
      key.includes('\u0000') ||
      !wellFormed(key) ||
      !storable((value as Record<string, unknown>)[key], depth + 1, maxDepth)
    )
      return false;
  }
  return true;
}

/**
 * Every place in a parsed JSON value that cannot be stored faithfully: text with a NUL or an
 * unpaired surrogate (in values and in keys), numbers that are not finite (`1e400` parses to
 * Infinity, which JSON cannot write back), and nesting deeper than MAX_JSON_DEPTH. Iterative, so
 * a hostile depth cannot exhaust the stack; paths are built only for the problems found.
 */
export function jsonProblems(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem[] {
  if (storable(value, 0, maxDepth)) return [];
  const problems: JsonProblem[] = [];
  const stack: Place[] = [{ value, parent: null, key: '', depth: 0 }];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const place = stack.pop()!;
    const current = place.value;
    if (typeof current === 'string') {
      const why = unstorableText(current);
      if (why) problems.push({ path: pathOf(place), message: why });
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) problems.push({ path: pathOf(place), message: 'is not a finite number' });
    } else if (current !== null && typeof current === 'object') {
      if (place.depth >= maxDepth) {
        problems.push({ path: pathOf(place), message: `is nested more than ${maxDepth} levels deep` });
        continue;
      }
      if (Array.isArray(current)) {
        for (let i = current.length - 1; i >= 0; i--)
          stack.push({ value: current[i], parent: place, key: i, depth: place.depth + 1 });
      } else {
        const keys = Object.keys(current);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i];
          const child: Place = {
            value: (current as Record<string, unknown>)[key],
            parent: place,
            key,
            depth: place.depth + 1,
          };
          const why = unstorableText(key);
          if (why) problems.push({ path: pathOf(child), message: `has a field name that ${why}` });
          else stack.push(child);
        }
      }
    }
  }
  return problems;
}
