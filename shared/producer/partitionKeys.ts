import { KINESIS_LIMITS } from '../constants.js';
import { ConfigError } from '../errors.js';
import { seededRandom } from '../random.js';

/** How the producer picks a record's partition key. */
export type PartitionKeySpec =
  /** `part-00001` … `part-01024`, uniformly from a seeded generator (the original producer's scheme). */
  | { readonly mode: 'random'; readonly seed?: number; readonly buckets?: number }
  /** The value of a field of the row (e.g. `store_cd`, to keep a store's records on one shard). */
  | { readonly mode: 'field'; readonly field: string; readonly seed?: number }
  /** One fixed key for every record (everything on one shard: total order, one shard's throughput). */
  | { readonly mode: 'explicit'; readonly value: string };

/** Picks the partition key of a row (`undefined` for a line that did not parse). */
export type PartitionKeyFn = (row: Readonly<Record<string, unknown>> | undefined) => string;

/** Buckets of the random scheme. */
export const RANDOM_PARTITION_BUCKETS = 1024;

/** The default seed, so two runs send the same keys. */
export const DEFAULT_PARTITION_SEED = 20150101;

/**
 * Parses `random`, `field:NAME` or `explicit:VALUE` (the `--partition-key` flag).
 * @param text - the flag's value
 * @param seed - seed of the random scheme
 * @throws ConfigError naming the flag on anything else
 */
export function parsePartitionKeySpec(text: string, seed = DEFAULT_PARTITION_SEED): PartitionKeySpec {
  if (text === 'random') return { mode: 'random', seed };
  const [mode, ...rest] = text.split(':');
  const value = rest.join(':');
  if (mode === 'field' && value !== '') return { mode: 'field', field: value, seed };
  if (mode === 'explicit' && value !== '' && [...value].length <= KINESIS_LIMITS.partitionKeyMaxLength) return { mode: 'explicit', value };
  throw new ConfigError('--partition-key', `expected random, field:NAME or explicit:VALUE (1–${KINESIS_LIMITS.partitionKeyMaxLength} characters), got '${text}'`);
}

/**
 * Builds the partition-key function of a spec. In `field` mode a row without the field (or
 * an unparseable line) gets a random key, so it still spreads over the shards.
 * @param spec - the scheme
 */
export function createPartitionKeyFn(spec: PartitionKeySpec): PartitionKeyFn {
  if (spec.mode === 'explicit') return () => spec.value;
  const random = seededRandom(spec.seed ?? DEFAULT_PARTITION_SEED);
  const buckets = spec.mode === 'random' ? (spec.buckets ?? RANDOM_PARTITION_BUCKETS) : RANDOM_PARTITION_BUCKETS;
  const randomKey = (): string => `part-${String(1 + Math.floor(random() * buckets)).padStart(5, '0')}`;
  if (spec.mode === 'random') return randomKey;
  return (row) => {
    const value = row?.[spec.field];
    const key = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
    return key === '' ? randomKey() : [...key].slice(0, KINESIS_LIMITS.partitionKeyMaxLength).join('');
  };
}
