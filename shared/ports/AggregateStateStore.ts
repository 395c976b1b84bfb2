import type { ItemDelta } from '../aggregate/partials.js';

/**
 * One batch's change to one slice item of one query. The delta is built on demand from the
 * batch's records after a position, so that a batch delivered again, which finds the item
 * already holding part of it, adds only the rest.
 */
export interface SliceUpdate {
  readonly query: string;
  /** The slice's start (event-time ms); {@link CONTINUOUS_SLICE} for a query without a window. */
  readonly slice: number;
  /**
   * The delta of the batch's records that come after `position` (all of them when undefined).
   * Positions are {@link positionKey}s.
   */
  readonly deltaAfter: (position: string | undefined) => ItemDelta;
  /** Distinct-bucket sizes to keep as maxima (absolute, so idempotent). */
  readonly sizes?: ReadonlyMap<string, number>;
}

/** The slice key of a query without a window. */
export const CONTINUOUS_SLICE = -1;

/** A slice item as stored: its state attributes and how many writes it has taken (its version). */
export interface SliceImage {
  readonly query: string;
  readonly slice: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly version: number;
}

/** Distinct values to add to one bucket. */
export interface DistinctAdd {
  readonly query: string;
  readonly slice: number;
  readonly aggregate: number;
  readonly group: string;
  readonly partition: string;
  readonly bucket: number;
  readonly values: readonly string[];
}

/** One path's watermark as a clean shard has seen it: its highest event time, and when it last moved. */
export interface PathClock {
  /** Event time (ms), `FINAL_EVENT_TIME` after the end of input. */
  readonly eventTime: number;
  /** When the shard last received a watermark on this path (processing time, epoch ms). */
  readonly activeAt: number;
}

/**
 * A clean shard's progress as the pipeline's watermark sees it. Records reach a clean shard by
 * many paths (raw shard → enriched shard → clean shard), each with its own lag; each path's
 * watermark bounds the event times still to come by that path.
 */
export interface ShardClock {
  /** When the shard last delivered a batch (processing time, epoch ms). */
  readonly activeAt: number;
  /** When it first delivered one (the earliest over shards is when the pipeline started). */
  readonly firstSeenAt?: number;
  /**
   * The position of the last record whose batch was applied in full. Records at or before it
   * are done (a batch delivered again skips them); the path clocks are those of that moment,
   * so every delivery of a batch judges its records alike.
   */
  readonly position?: PositionKey;
  /** Per path (`<source>␟<via>`, `self` for records that came with no watermark, `final`). */
  readonly paths: ReadonlyMap<string, PathClock>;
  /** A child of this shard has reported: it will deliver nothing more. */
  readonly finished?: boolean;
}

/** What one applied batch moves a shard's clock to. */
export interface ShardAdvance {
  readonly position: PositionKey;
  readonly activeAt: number;
  /** The paths whose watermark this batch raised, with their new event time. */
  readonly paths: ReadonlyMap<string, number>;
  /** Parents of the shard, finished now that it reports (on its first batch). */
  readonly finishedParents?: readonly string[];
}

/** A firing in progress: windows ending in `(from, to]` are being emitted by `owner`. */
export interface PendingFiring {
  readonly from: number;
  readonly to: number;
  readonly owner: string;
  readonly claimedAt: number;
}

/** The pipeline-wide state every invocation reads: shard clocks and each query's firing progress. */
export interface PipelineState {
  readonly shards: ReadonlyMap<string, ShardClock>;
  /** Per windowed query, the watermark up to which its windows have fired (absent: none yet). */
  readonly fired: ReadonlyMap<string, number>;
  readonly pending: ReadonlyMap<string, PendingFiring>;
  /** Expected watermark paths no shard has reported, and since when (processing time, ms). */
  readonly missing: ReadonlyMap<string, number>;
}

/** A claim to fire a query's windows ending in `(from, to]`; `from` must be what `fired` says. */
export interface FiringClaim {
  readonly query: string;
  readonly from: number | undefined;
  readonly to: number;
}

/** The event time a shard reports after the end-of-input signal: beyond any real time. */
export const FINAL_EVENT_TIME = 8.64e15;

/** A record's position in its shard, as a string that sorts in stream order. */
export type PositionKey = string;

/**
 * The aggregate stage's state: per-slice partials, distinct-value buckets, shard clocks and
 * firing claims. Every write is atomic and guarded (conditional writes), so any invocation may
 * fail at any point and be delivered again without counting anything twice.
 */
export interface AggregateStateStore {
  /** Reads shard clocks and firing progress (strongly consistent). */
  readPipeline(): Promise<PipelineState>;
  /** Adds values to distinct buckets (set union: idempotent) and answers each bucket's size after. */
  addDistinct(adds: readonly DistinctAdd[]): Promise<number[]>;
  /**
   * Applies one batch of one shard to slice items, each exactly once: an item records the last
   * position of each shard it has taken.
   * @param batch - positions of the batch's first and last records
   * @returns the images after the write of the continuous queries' slices (the stage emits their
   *   rows from them); a store need not read windowed slices back, and may return theirs too
   */
  applySlices(shard: string, batch: { readonly first: PositionKey; readonly last: PositionKey }, updates: readonly SliceUpdate[]): Promise<SliceImage[]>;
  /** Records a shard's progress after a batch was applied in full; a clock at or past `position` already is left alone but for `activeAt`. */
  advanceShard(shard: string, advance: ShardAdvance): Promise<void>;
  /** Claims firings for several queries at once; false when another invocation got there first. */
  claimFiring(owner: string, claims: readonly FiringClaim[], now: number): Promise<boolean>;
  /** Takes over a pending firing whose owner stopped; false when it changed meanwhile. */
  takeOverFiring(query: string, pending: PendingFiring, owner: string, now: number): Promise<boolean>;
  /** Records since when expected paths have been missing (kept if already recorded). */
  noteMissing(paths: readonly string[], now: number): Promise<void>;
  /** Marks a pending firing done. */
  completeFiring(query: string, to: number): Promise<void>;
  /** Slice items of a query whose start is in `[from, to)`, by start (strongly consistent). */
  readSlices(query: string, from: number, to: number): Promise<SliceImage[]>;
}
