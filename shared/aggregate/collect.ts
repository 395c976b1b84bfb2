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
import { distinctSizeAttribute, emptyDelta, foldRecord, type ItemDelta } from './partials.js';
import { sliceOf, type Interval } from './windows.js';

/** A record of the batch with its event time and position. */
export interface Positioned {
  readonly record: EnrichedTransaction;
  readonly eventTime: number;
  /** Sorts in stream order within the shard (see `positionKey`). */
  readonly position: string;
  readonly origin: RecordOrigin;
}

/** The batch, pre-aggregated. */
export interface CollectedBatch {
  /** One update per touched slice of each query (sizes of distinct buckets filled in later). */
  readonly slices: Map<string, { readonly query: string; readonly slice: number; readonly records: Positioned[] }>;
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
 * Sorts a batch's records into slices.
 * @param isLate - whether a record in this slice of this (windowed) query is too late to count
 */
export function collectBatch(queries: readonly CompiledQuery[], records: readonly Positioned[], isLate: (query: CompiledQuery, slice: Interval) => boolean): CollectedBatch {
  const slices: CollectedBatch['slices'] = new Map();
  const distinct: CollectedBatch['distinct'] = new Map();
  const late: CollectedBatch['late'] = new Map();
  for (const positioned of records) {
    for (const query of queries) {
      if (!query.accepts(positioned.record)) continue;
      const interval = sliceOf(query.definition.window, positioned.eventTime);
      if (query.windowed && isLate(query, interval)) {
        late.set(positioned, [...(late.get(positioned) ?? []), query.name]);
        continue;
      }
      const slice = query.windowed ? interval.start : CONTINUOUS_SLICE;
      const key = `${query.name}@${slice}`;
      const entry = slices.get(key) ?? { query: query.name, slice, records: [] };
      slices.set(key, entry);
      entry.records.push(positioned);
      query.definition.aggregates.forEach((aggregate, i) => {
        if (aggregate.fn !== 'count_distinct') return;
        const { partition, value } = query.distinctOf(aggregate, positioned.record);
        const bucket = fnv1a(value) % (aggregate.buckets ?? 1);
        for (const group of query.groupsOf(positioned.record)) {
          const bucketKey = `${key}@${i}@${partition}@${bucket}@${group}`;
          const add = distinct.get(bucketKey) ?? { query: query.name, slice, aggregate: i, group, partition, bucket, values: [] };
          distinct.set(bucketKey, add);
          add.values.push(value);
        }
      });
    }
  }
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
  return [...batch.slices.entries()].map(([key, { query, slice, records }]) => {
    const compiled = byName.get(query) as CompiledQuery;
    const sizesOfSlice = sizesBySlice.get(key);
    return {
      query,
      slice,
      deltaAfter: (position: string | undefined): ItemDelta => {
        const delta = emptyDelta();
        for (const positioned of records) if (position === undefined || positioned.position > position) foldRecord(delta, compiled, positioned.record);
        return delta;
      },
      ...(sizesOfSlice === undefined ? {} : { sizes: sizesOfSlice }),
    };
  });
}
