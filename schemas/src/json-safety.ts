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

/** A UTF-16 surrogate without its pair: not a Unicode character, so it has no UTF-8 form. */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface JsonProblem {
  path: string;
  message: string;
}

/** Why this text cannot be stored as it is, or null when it can. */
export function unstorableText(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored';
  if (UNPAIRED_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate, which is not a Unicode character';
  return null;
}

/** The text with what cannot be stored written as escapes (`\u0000`), for diagnostics (a parked event's id and error). */
export function storableText(text: string): string {
  if (unstorableText(text) === null) return text;
  return text.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Characters that cannot be seen, or look like a plain space: controls, format characters
 * (zero-width, bidirectional overrides, BOM), private use, line and paragraph separators, and
 * spaces other than U+0020. An id holding one looks identical to another id and is refused.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f]/u;

/** Names the first invisible character of `text` (as U+XXXX), or null when there is none. */
export function invisibleCharacter(text: string): string | null {
  const match = INVISIBLE.exec(text);
  if (!match) return null;
  return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function pathOf(parent: string, key: string | number): string {
  const part = typeof key === 'number' || /^[A-Za-z_$][\w$-]*$/.test(key) ? String(key) : JSON.stringify(key);
  return parent === '' ? part : `${parent}.${part}`;
}

/**
 * Every place in a parsed JSON value that cannot be stored faithfully: text with a NUL or an
 * unpaired surrogate (in values and in keys), numbers that are not finite (`1e400` parses to
 * Infinity, which JSON cannot write back), and nesting deeper than MAX_JSON_DEPTH. Iterative, so
 * a hostile depth cannot exhaust the stack.
 */
export function jsonProblems(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem[] {
  const problems: JsonProblem[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const why = unstorableText(current);
      if (why) problems.push({ path: path || '(event)', message: why });
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) problems.push({ path: path || '(event)', message: 'is not a finite number' });
    } else if (current !== null && typeof current === 'object') {
      if (depth >= maxDepth) {
        problems.push({ path: path || '(event)', message: `is nested more than ${maxDepth} levels deep` });
        continue;
      }
      if (Array.isArray(current)) {
        for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: pathOf(path, i), depth: depth + 1 });
      } else {
        const keys = Object.keys(current);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i];
          const why = unstorableText(key);
          if (why) problems.push({ path: pathOf(path, key), message: `has a field name that ${why}` });
          else stack.push({ value: (current as Record<string, unknown>)[key], path: pathOf(path, key), depth: depth + 1 });
        }
      }
    }
  }
  return problems;
}
