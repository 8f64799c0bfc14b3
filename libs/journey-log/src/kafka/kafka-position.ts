import { BackboneError } from '#errors';
import type { PositionCodec } from '../journey-log.port';

/**
 * Positions on Kafka: per-partition offsets, as token `k.<partition>:<offset>,...` (sorted by
 * partition). An event's position names its own partition; a reader's position names every
 * partition it has read. A partition absent from a token has not been read at all.
 */
export type PartitionOffsets = Map<number, number>;

function invalid(token: string): BackboneError {
  return new BackboneError('invalid_position', `"${token}" is not a position token of this journey log`);
}

/** The pair read last by `readPair`: a projector reads one per event, so no object per read. */
const pair = { partition: 0, offset: 0 };

/**
 * Reads `<partition>:<offset>` (1-5 and 1-19 digits) at `i` into `pair`; returns the index after
 * it, or -1 if there is no such pair there. By hand, as projectors read one or two per event.
 */
function readPair(token: string, i: number): number {
  let partition = 0;
  const p0 = i;
  for (let c = token.charCodeAt(i); c >= 48 && c <= 57; c = token.charCodeAt(++i))
    partition = partition * 10 + (c - 48);
  if (i === p0 || i - p0 > 5 || token.charCodeAt(i) !== 58 /* : */) return -1;
  const o0 = ++i;
  let offset = 0;
  for (let c = token.charCodeAt(i); c >= 48 && c <= 57; c = token.charCodeAt(++i)) offset = offset * 10 + (c - 48);
  if (i === o0 || i - o0 > 19) return -1;
  pair.partition = partition;
  pair.offset = offset;
  return i;
}

const hasPrefix = (token: string) => token.charCodeAt(0) === 107 /* k */ && token.charCodeAt(1) === 46; /* . */

/** `k.` then `<partition>:<offset>` pairs joined by commas. */
function parse(token: string): PartitionOffsets {
  const offsets: PartitionOffsets = new Map();
  if (!hasPrefix(token)) throw invalid(token);
  const end = token.length;
  let i = 2;
  while (i < end) {
    i = readPair(token, i);
    if (i < 0) throw invalid(token);
    offsets.set(pair.partition, pair.offset);
    if (i < end && (token.charCodeAt(i) !== 44 /* , */ || ++i === end)) throw invalid(token);
  }
  return offsets;
}

/** Recently parsed tokens (a checkpoint is compared with every event of a batch). Never mutated. */
const parsed = new Map<string, PartitionOffsets>();
const PARSED_CACHE = 4096;

function parseShared(token: string | null): PartitionOffsets {
  if (token === null) return EMPTY;
  let offsets = parsed.get(token);
  if (!offsets) {
    offsets = parse(token);
    if (parsed.size >= PARSED_CACHE) parsed.clear();
    parsed.set(token, offsets);
  }
  return offsets;
}

/**
 * Whether the token names exactly one partition (an event's own position), read into `pair`
 * without a map or a cache entry: each event's token is new. False for any other token (parsed
 * the general way then).
 */
function readSingle(token: string): boolean {
  return hasPrefix(token) && readPair(token, 2) === token.length;
}

const EMPTY: PartitionOffsets = new Map();

/** The offsets a token names, as a new map the caller may change. */
export function parseKafkaToken(token: string | null): PartitionOffsets {
  return new Map(parseShared(token));
}

/** The position of one record. */
export function kafkaRecordToken(partition: number, offset: number): string {
  return `k.${partition}:${offset}`;
}

export function kafkaToken(offsets: PartitionOffsets | Iterable<[number, number]>): string {
  const entries = [...offsets].sort((a, b) => a[0] - b[0]);
  return `k.${entries.map(([p, o]) => `${p}:${o}`).join(',')}`;
}

const offset = (offsets: PartitionOffsets, partition: number) => offsets.get(partition) ?? -1;

export const kafkaPositions: PositionCodec = {
  validate: (token) => void parseShared(token),
  /** Meaningful within one partition (one journey); across partitions only a stable order. */
  compare(a, b) {
    if (a !== null && b !== null && readSingle(a)) {
      const { partition: partitionA, offset: offsetA } = pair;
      if (readSingle(b)) {
        // As below, for one partition each: an absent partition counts as offset -1.
        if (partitionA === pair.partition) return offsetA - pair.offset;
        return partitionA < pair.partition ? offsetA + 1 : -(pair.offset + 1);
      }
    }
    const pa = parseShared(a);
    const pb = parseShared(b);
    const partitions = [...new Set([...pa.keys(), ...pb.keys()])].sort((x, y) => x - y);
    for (const p of partitions) {
      const d = offset(pa, p) - offset(pb, p);
      if (d !== 0) return d;
    }
    return 0;
  },
  reached(current, target) {
    if (target !== null && readSingle(target)) {
      const { partition, offset: wanted } = pair;
      // A document's position is mostly one partition too: no map for either.
      if (current !== null && readSingle(current)) return pair.partition === partition && pair.offset >= wanted;
      return offset(parseShared(current), partition) >= wanted;
    }
    const have = parseShared(current);
    for (const [p, o] of parseShared(target)) if (offset(have, p) < o) return false;
    return true;
  },
  distance(current, head) {
    const have = parseShared(current);
    let behind = 0;
    for (const [p, o] of parseShared(head)) behind += Math.max(0, o - offset(have, p));
    return behind;
  },
  lagByPartition(current, head) {
    const have = parseShared(current);
    const lag: Record<string, number> = {};
    for (const [p, o] of parseShared(head)) lag[String(p)] = Math.max(0, o - offset(have, p));
    return lag;
  },
  merge(a, b) {
    if (a !== null && readSingle(a)) {
      const { partition, offset: offsetA } = pair;
      if (readSingle(b) && pair.partition === partition)
        return kafkaRecordToken(partition, Math.max(offsetA, pair.offset));
    }
    const merged = parseKafkaToken(a);
    for (const [p, o] of parseShared(b)) merged.set(p, Math.max(o, offset(merged, p)));
    return kafkaToken(merged);
  },
  lowest(positions) {
    if (positions.length === 0 || positions.includes(null)) return null;
    const all = positions.map((p) => parseShared(p));
    const lowest: PartitionOffsets = new Map();
    // A partition missing from any position has not been read by that reader: start it from zero.
    for (const [p, o] of all[0]) {
      if (all.every((offsets) => offsets.has(p))) lowest.set(p, Math.min(o, ...all.map((offsets) => offsets.get(p)!)));
    }
    return kafkaToken(lowest);
  },
};
