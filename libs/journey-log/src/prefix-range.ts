/**
 * The smallest string after every string starting with `prefix` (its last character moved on by one): the end of a
 * prefix range.
 */
export function prefixEnd(prefix: string): string {
  if (prefix === '') throw new RangeError('a prefix range needs a prefix');
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
