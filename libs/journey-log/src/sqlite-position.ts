import { BackboneError } from '#errors';
import type { PositionCodec } from './journey-log.port';

/** Positions of the SQLite log: the global sequence number, as token `s<n>`. */
const TOKEN = /^s(\d{1,15})$/;

export function sqliteToken(sequence: number): string {
  return `s${sequence}`;
}

export function sqliteSequence(token: string | null): number {
  if (token === null) return 0;
  const match = TOKEN.exec(token);
  if (!match) throw new BackboneError('invalid_position', `"${token}" is not a position token of this journey log`);
  return Number(match[1]);
}

/** Tokens that came from this log (events, checkpoints) skip the regex: positions are compared per event. */
function trusted(token: string | null): number {
  return token === null ? 0 : Number(token.slice(1));
}

export const sqlitePositions: PositionCodec = {
  validate: (token) => void sqliteSequence(token),
  compare: (a, b) => trusted(a) - trusted(b),
  reached: (current, target) => trusted(current) >= trusted(target),
  distance: (current, head) => Math.max(0, trusted(head) - trusted(current)),
  lagByPartition: (current, head) => ({ '0': Math.max(0, trusted(head) - trusted(current)) }),
  merge: (a, b) => (trusted(a) >= trusted(b) ? a! : b),
  lowest: (positions) => {
    let lowest: string | null = null;
    for (const p of positions) {
      if (p === null) return null;
      if (lowest === null || trusted(p) < trusted(lowest)) lowest = p;
    }
    return lowest;
  },
};
