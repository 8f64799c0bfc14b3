import { BackboneError } from '../../../errors/src';
import type { PositionCodec } from '../journey-log.port';

/**
 * Positions on Kafka: per-partition offsets, as token `k.<partition>:<offset>,...` (sorted by
 * partition). An event's position names its own partition; a reader's position names every
 * partition it has read. A partition absent from a token has not been read at all.
 */
const TOKEN = /^k\.(\d{1,5}:\d{1,19}(,\d{1,5}:\d{1,19})*)?$/;

export type PartitionOffsets = Map<number, number>;

export function parseKafkaToken(token: string | null): PartitionOffsets {
  const offsets: PartitionOffsets = new Map();
  if (token === null) return offsets;
  if (!TOKEN.test(token)) throw new BackboneError('invalid_position', `"${token}" is not a position token of this journey log`);
  const body = token.slice(2);
  if (body === '') return offsets;
  for (const entry of body.split(',')) {
    const [p, o] = entry.split(':');
    offsets.set(Number(p), Number(o));
  }
  return offsets;
}

export function kafkaToken(offsets: PartitionOffsets | Iterable<[number, number]>): string {
  const entries = [...offsets].sort((a, b) => a[0] - b[0]);
  return `k.${entries.map(([p, o]) => `${p}:${o}`).join(',')}`;
}

const offset = (offsets: PartitionOffsets, partition: number) => offsets.get(partition) ?? -1;

export const kafkaPositions: PositionCodec = {
  validate: (token) => void parseKafkaToken(token),
  /** Meaningful within one partition (one journey); across partitions only a stable order. */
  compare(a, b) {
    const pa = parseKafkaToken(a);
    const pb = parseKafkaToken(b);
    const partitions = [...new Set([...pa.keys(), ...pb.keys()])].sort((x, y) => x - y);
    for (const p of partitions) {
      const d = offset(pa, p) - offset(pb, p);
      if (d !== 0) return d;
    }
    return 0;
  },
  reached(current, target) {
    const have = parseKafkaToken(current);
    for (const [p, o] of parseKafkaToken(target)) if (offset(have, p) < o) return false;
    return true;
  },
  distance(current, head) {
    const have = parseKafkaToken(current);
    let behind = 0;
    for (const [p, o] of parseKafkaToken(head)) behind += Math.max(0, o - offset(have, p));
    return behind;
  },
  lagByPartition(current, head) {
    const have = parseKafkaToken(current);
    const lag: Record<string, number> = {};
    for (const [p, o] of parseKafkaToken(head)) lag[String(p)] = Math.max(0, o - offset(have, p));
    return lag;
  },
  merge(a, b) {
    const merged = parseKafkaToken(a);
    for (const [p, o] of parseKafkaToken(b)) merged.set(p, Math.max(o, offset(merged, p)));
    return kafkaToken(merged);
  },
  lowest(positions) {
    if (positions.length === 0 || positions.includes(null)) return null;
    const parsed = positions.map((p) => parseKafkaToken(p));
    const lowest: PartitionOffsets = new Map();
    // A partition missing from any position has not been read by that reader: start it from zero.
    for (const [p, o] of parsed[0]) {
      if (parsed.every((offsets) => offsets.has(p))) lowest.set(p, Math.min(o, ...parsed.map((offsets) => offsets.get(p)!)));
    }
    return kafkaToken(lowest);
  },
};
