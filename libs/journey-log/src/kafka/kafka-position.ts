import { BackboneError } from '../../../errors/src';
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

/** `k.` then `<partition>:<offset>` pairs (1-5 and 1-19 digits) joined by commas; by hand, as projectors parse one per event. */
function parse(token: string): PartitionOffsets {
  const offsets: PartitionOffsets = new Map();
  if (token.charCodeAt(0) !== 107 /* k */ || token.charCodeAt(1) !== 46 /* . */) throw invalid(token);
  const end = token.length;
  let i = 2;
  while (i < end) {
    let partition = 0;
    const p0 = i;
    for (let c = token.charCodeAt(i); c >= 48 && c <= 57; c = token.charCodeAt(++i)) partition = partition * 10 + (c - 48);
    if (i === p0 || i - p0 > 5 || token.charCodeAt(i) !== 58 /* : */) throw invalid(token);
    const o0 = ++i;
    let offset = 0;
    for (let c = token.charCodeAt(i); c >= 48 && c <= 57; c = token.charCodeAt(++i)) offset = offset * 10 + (c - 48);
    if (i === o0 || i - o0 > 19) throw invalid(token);
    offsets.set(partition, offset);
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
 * The partition and offset of a one-partition token (an event's own position), read without a
 * map or a cache entry: a projector asks about every event once or twice, each token new.
 * Sets `single` and returns true; false for any other token (parsed the general way then).
 */
const single = { partition: 0, offset: 0 };
function readSingle(token: string): boolean {
  if (token.charCodeAt(0) !== 107 /* k */ || token.charCodeAt(1) !== 46 /* . */) return false;
  const end = token.length;
  let i = 2;
  let partition = 0;
  for (let c = token.charCodeAt(i); c >= 48 && c <= 57; c = token.charCodeAt(++i)) partition = partition * 10 + (c - 48);
  if (i === 2 || i - 2 > 5 || token.charCodeAt(i) !== 58 /* : */) return false;
  const o0 = ++i;
  let offset = 0;
  for (let c = token.charCodeAt(i); c >= 48 && c <= 57; c = token.charCodeAt(++i)) offset = offset * 10 + (c - 48);
  if (i === o0 || i - o0 > 19 || i !== end) return false;
  single.partition = partition;
  single.offset = offset;
  return true;
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
      const { partition: partitionA, offset: offsetA } = single;
      if (readSingle(b)) {
        // As below, for one partition each: an absent partition counts as offset -1.
        if (partitionA === single.partition) return offsetA - single.offset;
        return partitionA < single.partition ? offsetA + 1 : -(single.offset + 1);
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
      const { partition, offset: wanted } = single;
      // A document's position is mostly one partition too: no map for either.
      if (current !== null && readSingle(current)) return single.partition === partition && single.offset >= wanted;
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
      const { partition, offset: offsetA } = single;
      if (readSingle(b) && single.partition === partition) return kafkaRecordToken(partition, Math.max(offsetA, single.offset));
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
