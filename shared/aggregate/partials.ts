/**
 * Per-slice partial aggregates as they are stored: one item per query and slice holds every
 * group's parts as number attributes, named `<aggregate><part>␟<group>` (the group a JSON array
 * of its key values), beside each shard's checkpoint and the version `v`. One item per slice
 * means one write per slice per batch, however many groups.
 */
import type { CompiledQuery, PartKind } from './compile.js';
import type { EnrichedTransaction } from '../types.js';
import type { SliceImage, SliceUpdate } from '../ports/AggregateStateStore.js';

/** Separates the parts of a state attribute name; JSON escapes it inside a group's values. */
export const SEP = '\u001f';

/** What one batch adds to one state item, by attribute name. */
export interface ItemDelta {
  readonly add: Map<string, number>;
  readonly max: Map<string, number>;
  readonly min: Map<string, number>;
}

/** A delta with nothing in it. */
export const emptyDelta = (): ItemDelta => ({ add: new Map(), max: new Map(), min: new Map() });

const COMBINE: Record<PartKind, (a: number, b: number) => number> = { add: (a, b) => a + b, max: Math.max, min: Math.min };

/** The attribute of an aggregate's part for a group. */
export const partAttribute = (aggregate: number, part: string, group: string): string => `${aggregate}${part}${SEP}${group}`;

/** The attribute holding the size of one distinct-value bucket of a group. */
export const distinctSizeAttribute = (aggregate: number, group: string, partition: string, bucket: number): string =>
  `${aggregate}z${SEP}${bucket}${SEP}${partition}${SEP}${group}`;

/** A slice's groups being folded: each group's parts in the order of `CompiledQuery.parts`. */
export type GroupAccumulator = Map<string, Float64Array>;

const START: Record<PartKind, number> = { add: 0, max: Number.NEGATIVE_INFINITY, min: Number.POSITIVE_INFINITY };

/**
 * Folds one record into a slice's accumulator: every grouping set's group, every part
 * (COUNT(DISTINCT) excepted: its buckets are separate items, see the state store).
 * @param eventTime - the record's event time, read by MIN/MAX of `tr_datetime`
 */
export function accumulate(groups: GroupAccumulator, query: CompiledQuery, record: EnrichedTransaction, eventTime: number): void {
  const parts = query.parts;
  if (parts.length === 0) return;
  const values = parts.map((part) => (part.reads === 'one' ? 1 : part.reads.field === 'tr_datetime' ? eventTime : query.valueOf(part.reads, record)));
  for (const group of query.groupsOf(record)) {
    let acc = groups.get(group);
    if (acc === undefined) {
      acc = new Float64Array(parts.length);
      parts.forEach((part, j) => ((acc as Float64Array)[j] = START[part.kind]));
      groups.set(group, acc);
    }
    for (let j = 0; j < parts.length; j++) {
      const value = values[j] as number;
      const kind = (parts[j] as { kind: PartKind }).kind;
      acc[j] = kind === 'add' ? (acc[j] as number) + value : kind === 'max' ? Math.max(acc[j] as number, value) : Math.min(acc[j] as number, value);
    }
  }
}

/** The delta of an accumulator: its parts as state attributes. */
export function deltaOf(query: CompiledQuery, groups: GroupAccumulator): ItemDelta {
  const delta = emptyDelta();
  for (const [group, acc] of groups) {
    query.parts.forEach((part, j) => delta[part.kind].set(`${part.prefix}${SEP}${group}`, acc[j] as number));
  }
  return delta;
}

/** A group's parts, keyed `<aggregate><part>` (`0s`, `1n`, `2z`…). */
export type GroupParts = Map<string, number>;

/** Groups and their parts, keyed by the group's JSON. */
export type GroupState = Map<string, GroupParts>;

const KIND_OF_PART: Record<string, PartKind> = { n: 'add', s: 'add', lo: 'min', hi: 'max', z: 'add' };

/**
 * The attribute a shard keeps its own maximum or minimum in: `<agg><part>@<shard>␟…`. Several
 * shards raise one slice's maxima at once; with one attribute each, a guarded write only ever
 * races its own shard's redelivery, never another shard. Readers take the extreme over shards.
 */
export function shardAttribute(attribute: string, shard: string): string {
  const cut = attribute.indexOf(SEP);
  return `${attribute.slice(0, cut)}@${shard}${attribute.slice(cut)}`;
}

/** {@link shardAttribute} over a map of attributes to values. */
export const shardAttributes = (values: ReadonlyMap<string, number>, shard: string): Map<string, number> => new Map([...values].map(([name, value]) => [shardAttribute(name, shard), value]));

/** The attribute of a slice item holding the position of the last record of `shard` it has taken. */
export const checkpointAttribute = (shard: string): string => `ck${SEP}${shard}`;

/** Drops the maxima (and sizes) and minima a stored item already holds at least as far: writing them would change nothing. */
export function pruneExtremes(stored: Readonly<Record<string, unknown>>, max: Map<string, number>, min: Map<string, number>, sizes: Map<string, number>): void {
  for (const map of [max, sizes]) for (const [name, value] of map) if (typeof stored[name] === 'number' && (stored[name] as number) >= value) map.delete(name);
  for (const [name, value] of min) if (typeof stored[name] === 'number' && (stored[name] as number) <= value) min.delete(name);
}

/** A slice item's state: group parts, per-shard extremes and bucket sizes, checkpoints, and the version `v`. */
export type SliceState = Record<string, number | string>;

/** The image of a slice's state: its version is the state's `v` (0 before the first write). */
export const sliceImage = (query: string, slice: number, state: Readonly<SliceState>): SliceImage => ({ query, slice, attributes: state, version: (state.v as number | undefined) ?? 0 });

/** The records of a shard's batch a slice update comes from: the positions of the first and last. */
export interface BatchSpan {
  readonly first: string;
  readonly last: string;
}

/**
 * A shard's batch applied to a slice's state exactly once by record position: only the records
 * after the shard's checkpoint in the state count; sums add; the shard's extremes and bucket
 * sizes only move outward; the checkpoint moves to the batch's last record and `v` goes up by one.
 * @returns the new state, or undefined when the state holds the batch already (nothing to write)
 */
export function applyToSlice(state: Readonly<SliceState>, shard: string, batch: BatchSpan, update: SliceUpdate): SliceState | undefined {
  const checkpoint = checkpointAttribute(shard);
  const held = state[checkpoint] as string | undefined;
  const after = held !== undefined && held >= batch.first ? held : undefined;
  const delta = update.deltaAfter(after);
  const [max, min, sizes] = [shardAttributes(delta.max, shard), shardAttributes(delta.min, shard), shardAttributes(update.sizes ?? new Map(), shard)];
  pruneExtremes(state, max, min, sizes);
  if (after !== undefined && delta.add.size + max.size + min.size + sizes.size === 0) return undefined;
  const next: SliceState = { ...state };
  for (const [name, value] of delta.add) next[name] = ((next[name] as number | undefined) ?? 0) + value;
  for (const [name, value] of [...max, ...sizes]) next[name] = Math.max((next[name] as number | undefined) ?? value, value);
  for (const [name, value] of min) next[name] = Math.min((next[name] as number | undefined) ?? value, value);
  next[checkpoint] = after !== undefined && after > batch.last ? after : batch.last;
  next.v = ((state.v as number | undefined) ?? 0) + 1;
  return next;
}

/**
 * Reads the groups of a stored state item. Per-shard extremes combine by their kind; a
 * distinct bucket's size is the largest any shard saw (sets only grow), and the buckets' sizes
 * add up into one `<i>z` part (the group's distinct count in this slice).
 * @param image - the item's attributes, as DynamoDB returns them (non-state attributes ignored)
 */
export function groupsOfImage(image: Readonly<Record<string, unknown>>): GroupState {
  const groups: GroupState = new Map();
  const bucketSizes = new Map<string, Map<string, number>>();
  for (const [attribute, value] of Object.entries(image)) {
    const cut = attribute.indexOf(SEP);
    if (cut < 0 || typeof value !== 'number') continue;
    const prefix = attribute.slice(0, cut).replace(/@.*$/, '');
    const part = prefix.replace(/^\d+/, '');
    const last = attribute.lastIndexOf(SEP);
    const group = part === 'z' ? attribute.slice(last + 1) : attribute.slice(cut + 1);
    if (part === 'z') {
      // `<i>z@<shard>␟<bucket>␟<partition>␟<group>`: the largest size per bucket, over shards.
      const bucket = `${prefix}${SEP}${attribute.slice(cut + 1, last)}${SEP}${group}`;
      const sizes = bucketSizes.get(group) ?? new Map<string, number>();
      bucketSizes.set(group, sizes);
      sizes.set(bucket, Math.max(sizes.get(bucket) ?? 0, value));
      continue;
    }
    const parts = groups.get(group) ?? new Map<string, number>();
    groups.set(group, parts);
    const current = parts.get(prefix);
    parts.set(prefix, current === undefined ? value : COMBINE[KIND_OF_PART[part] ?? 'add'](current, value));
  }
  for (const [group, sizes] of bucketSizes) {
    const parts = groups.get(group) ?? new Map<string, number>();
    groups.set(group, parts);
    for (const [bucket, size] of sizes) {
      const prefix = bucket.slice(0, bucket.indexOf(SEP));
      parts.set(prefix, (parts.get(prefix) ?? 0) + size);
    }
  }
  return groups;
}

/** Merges the groups of several slices into those of the window they make up. */
export function mergeGroupStates(states: readonly GroupState[]): GroupState {
  const merged: GroupState = new Map();
  for (const state of states) {
    for (const [group, parts] of state) {
      const into = merged.get(group) ?? new Map<string, number>();
      merged.set(group, into);
      for (const [prefix, value] of parts) {
        const current = into.get(prefix);
        into.set(prefix, current === undefined ? value : COMBINE[KIND_OF_PART[prefix.replace(/^\d+/, '')] ?? 'add'](current, value));
      }
    }
  }
  return merged;
}
