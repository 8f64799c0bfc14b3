import { BackboneError } from '#errors';
import type { PositionCodec } from '../journey-log.port';

/**
 * Positions on EventStoreDB: an event's place in `$all`, its commit and prepare positions (byte
 * offsets in the transaction file), as token `e.<commit>.<prepare>`. `$all` is one total order,
 * so a reader's position is the last event it has seen, as on SQLite.
 */
export interface AllPosition {
  commit: bigint;
  prepare: bigint;
}

const TOKEN = /^e\.(\d{1,20})\.(\d{1,20})$/;

export function eventStoreToken(position: AllPosition): string {
  return `e.${position.commit}.${position.prepare}`;
}

export function parseEventStoreToken(token: string): AllPosition {
  const match = TOKEN.exec(token);
  if (!match) throw new BackboneError('invalid_position', `"${token}" is not a position token of this journey log`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

/** Parsed tokens kept for reuse: a projector compares its checkpoint with every event. */
const parsed = new Map<string, AllPosition>();

function read(token: string): AllPosition {
  let position = parsed.get(token);
  if (!position) {
    position = parseEventStoreToken(token);
    if (parsed.size >= 4096) parsed.clear();
    parsed.set(token, position);
  }
  return position;
}

function compare(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const pa = read(a);
  const pb = read(b);
  if (pa.commit !== pb.commit) return pa.commit < pb.commit ? -1 : 1;
  return pa.prepare === pb.prepare ? 0 : pa.prepare < pb.prepare ? -1 : 1;
}

/** Bytes of the transaction file between two positions: EventStoreDB cannot count events between positions cheaply. */
function bytesBetween(current: string | null, head: string | null): number {
  if (head === null || compare(current, head) >= 0) return 0;
  const from = current === null ? 0n : read(current).commit;
  return Number(read(head).commit - from);
}

export const eventStorePositions: PositionCodec = {
  validate: (token) => void read(token),
  compare: (a, b) => compare(a, b),
  reached: (current, target) => compare(current, target) >= 0,
  distance: bytesBetween,
  lagByPartition: (current, head) => ({ '0': bytesBetween(current, head) }),
  merge: (a, b) => (compare(a, b) >= 0 ? a! : b),
  lowest: (positions) => {
    let lowest: string | null = null;
    for (const p of positions) {
      if (p === null) return null;
      if (lowest === null || compare(p, lowest) < 0) lowest = p;
    }
    return lowest;
  },
};
