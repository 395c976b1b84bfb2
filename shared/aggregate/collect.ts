/**
 * Pre-aggregation of one batch: each record goes to one slice per query (or to the late
 * output), so the batch turns into one state update per touched slice, plus distinct values
 * per bucket, however many records and overlapping windows there are.
 */
import type { RecordOrigin } from '../stage/decode.js';
import type { DistinctAdd, SliceUpdate } from '../ports/AggregateStateStore.js';
import { CONTINUOUS_SLICE } from '../ports/AggregateStateStore.js';
import type { EnrichedTransaction } from '../types.js';
import type { CompiledQuery } from './compile.js';
import { accumulate, deltaOf, distinctSizeAttribute, type GroupAccumulator, type ItemDelta } from './partials.js';
import { sliceSize } from './windows.js';

/** A record of the batch with its event time and position. */
export interface Positioned {
  readonly record: EnrichedTransaction;
  readonly eventTime: number;
  /** Sorts in stream order within the shard (see `positionKey`). */
  readonly position: string;
  readonly origin: RecordOrigin;
}

/** One touched slice of one query: its records (for a redelivery's partial delta) and their fold. */
export interface CollectedSlice {
  readonly query: string;
  readonly slice: number;
  readonly records: Positioned[];
  readonly groups: GroupAccumulator;
}

/** The batch, pre-aggregated. */
export interface CollectedBatch {
  /** One entry per touched slice of each query. */
  readonly slices: Map<string, CollectedSlice>;
  /** Distinct values per bucket, with the slice they belong to. */
  readonly distinct: Map<string, DistinctAdd & { readonly values: string[] }>;
  /** Records late for at least one windowed query, with those queries. */
  readonly late: Map<Positioned, string[]>;
}

/** FNV-1a, 32 bits: a stable, fast spread of distinct values over buckets. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Sorts a batch's records into slices and folds each slice's records as they come.
 * @param isLate - whether a record in the slice ending at `sliceEnd` of this (windowed) query is too late to count
 */
export function collectBatch(queries: readonly CompiledQuery[], records: readonly Positioned[], isLate: (query: CompiledQuery, sliceEnd: number) => boolean): CollectedBatch {
  const slices: CollectedBatch['slices'] = new Map();
  const distinct: CollectedBatch['distinct'] = new Map();
  const late: CollectedBatch['late'] = new Map();
  const sizes = queries.map((query) => sliceSize(query.definition.window));
  const byQuery = queries.map(() => new Map<number, CollectedSlice>());
  queries.forEach((query, q) => {
    const size = sizes[q] as number;
    const open = byQuery[q] as Map<number, CollectedSlice>;
    const distinctAggregates = query.definition.aggregates.map((aggregate, i) => ({ aggregate, i })).filter(({ aggregate }) => aggregate.fn === 'count_distinct');
    for (const positioned of records) {
      if (!query.accepts(positioned.record)) continue;
      let slice = CONTINUOUS_SLICE;
      if (query.windowed) {
        slice = Math.floor(positioned.eventTime / size) * size;
        if (isLate(query, slice + size)) {
          late.set(positioned, [...(late.get(positioned) ?? []), query.name]);
          continue;
        }
      }
      let entry = open.get(slice);
      if (entry === undefined) {
        entry = { query: query.name, slice, records: [], groups: new Map() };
        open.set(slice, entry);
        slices.set(`${query.name}@${slice}`, entry);
      }
      entry.records.push(positioned);
      accumulate(entry.groups, query, positioned.record, positioned.eventTime);
      for (const { aggregate, i } of distinctAggregates) {
        const { partition, value } = query.distinctOf(aggregate, positioned.record);
        const bucket = fnv1a(value) % (aggregate.buckets ?? 1);
        for (const group of query.groupsOf(positioned.record)) {
          const bucketKey = `${query.name}@${slice}@${i}@${partition}@${bucket}@${group}`;
          const add = distinct.get(bucketKey) ?? { query: query.name, slice, aggregate: i, group, partition, bucket, values: [] };
          distinct.set(bucketKey, add);
          add.values.push(value);
        }
      }
    }
  });
  return { slices, distinct, late };
}

/**
 * The state updates of a collected batch: each slice's delta is folded on demand from its
 * records after a position, and the distinct buckets' sizes ride along as maxima.
 * @param sizes - the size of each bucket of `batch.distinct` after adding, in its order
 */
export function sliceUpdates(queries: readonly CompiledQuery[], batch: CollectedBatch, sizes: readonly number[]): SliceUpdate[] {
  const byName = new Map(queries.map((query) => [query.name, query]));
  const sizesBySlice = new Map<string, Map<string, number>>();
  [...batch.distinct.values()].forEach((add, i) => {
    const key = `${add.query}@${add.slice}`;
    const map = sizesBySlice.get(key) ?? new Map<string, number>();
    sizesBySlice.set(key, map);
    map.set(distinctSizeAttribute(add.aggregate, add.group, add.partition, add.bucket), sizes[i] ?? 0);
  });
  return [...batch.slices.entries()].map(([key, { query, slice, records, groups }]) => {
    const compiled = byName.get(query) as CompiledQuery;
    const sizesOfSlice = sizesBySlice.get(key);
    return {
      query,
      slice,
      deltaAfter: (position: string | undefined): ItemDelta => {
        if (position === undefined) return deltaOf(compiled, groups);
        // A redelivery that finds part of the batch in the item: fold only the records after it.
        const after: GroupAccumulator = new Map();
        for (const positioned of records) if (positioned.position > position) accumulate(after, compiled, positioned.record, positioned.eventTime);
        return deltaOf(compiled, after);
      },
      ...(sizesOfSlice === undefined ? {} : { sizes: sizesOfSlice }),
    };
  });
}
