/**
 * A string as an SQL literal, for statements sent in the simple protocol (several per round
 * trip, no parameters). The same text as pg's `escapeLiteral` (quotes doubled; with a backslash,
 * backslashes doubled too and the `E''` form), which builds it a character at a time: 0.4 ms for
 * the 40 KB of a 100-event append, against microseconds here.
 */
export function sqlLiteral(value: string): string {
  return value.includes('\\') ? ` E'${value.replace(/[\\']/g, (c) => c + c)}'` : `'${value.replaceAll("'", "''")}'`;
}
