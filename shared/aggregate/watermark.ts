/**
 * The pipeline's watermark from the clean shards' path clocks (see `control.ts`): Flink's rule
 * (the minimum over every input channel, idle channels left out) applied to the paths records
 * take through the repartitioning stages.
 */
import { FINAL_EVENT_TIME, type PipelineState, type ShardClock } from '../ports/AggregateStateStore.js';
import type { ControlRecord } from './control.js';
import { SEP } from './partials.js';

/** The path of records that came with no watermark at all (a writer straight to the clean stream). */
export const SELF_PATH = 'self';
/** The path set by the end-of-input signal. */
export const FINAL_PATH = 'final';
/** Before any event time. */
export const BEFORE_TIME = -FINAL_EVENT_TIME;

/** The path a control record moves, and the event time it moves it to. */
export const controlPath = (control: ControlRecord): readonly [string, number] =>
  control.eddy_control === 'final_watermark' ? [FINAL_PATH, FINAL_EVENT_TIME] : [`${control.source}${SEP}${control.via ?? ''}`, control.max_event_time];

/** The watermark paths of a shard (neither `self` nor `final`). */
const markedPaths = (clock: ShardClock): [string, { eventTime: number; activeAt: number }][] => [...clock.paths].filter(([path]) => path !== FINAL_PATH && path !== SELF_PATH);

/** Options of {@link pipelineBound}. */
export interface PipelineBoundOptions {
  /** The clean stream's open shards. */
  readonly open: readonly string[];
  /** Processing time, epoch ms. */
  readonly now: number;
  /** A path with no watermark for this long stops holding the pipeline back. */
  readonly idleTimeoutMs: number;
  /** For this long after the first batch, nothing fires: every path gets time to report. */
  readonly startupGraceMs: number;
  /**
   * The paths records can take (every open raw shard through every open enriched shard), when
   * known. One that no shard has reported holds the pipeline back until it has been missing for
   * the idle timeout (an upstream shard with no data never sends a watermark).
   */
  readonly expected?: readonly string[];
}

/** What {@link pipelineBound} found: the bound, and the expected paths no shard has reported. */
export interface PipelineBound {
  readonly bound: number | undefined;
  /** Expected paths missing everywhere; the caller records since when (`PipelineState.missing`). */
  readonly missing: readonly string[];
}

/**
 * The pipeline's event-time bound (before subtracting a query's out-of-orderness), or undefined
 * while nothing may fire: during the startup grace (unless every path is at the end of input),
 * while an open shard has not reported, or
 * while a shard lacks a path that is active elsewhere (its records by that path are still to
 * come). Each shard counts its paths that are active anywhere; a path is idle when no shard has
 * had its watermark for the idle timeout. Shards past the end of input, and closed shards whose
 * children have reported, do not hold it back.
 */
export function pipelineBound(pipeline: PipelineState, options: PipelineBoundOptions): PipelineBound {
  const clocks = [...pipeline.shards];
  const present = new Set(clocks.flatMap(([, clock]) => markedPaths(clock).map(([path]) => path)));
  const missing = (options.expected ?? []).filter((path) => !present.has(path));
  // A path no shard has reported may still bring records, until it has been missing for the idle timeout.
  const waiting = missing.some((path) => options.now - (pipeline.missing.get(path) ?? options.now) <= options.idleTimeoutMs);
  const bound = clocks.length === 0 || waiting ? undefined : boundOfClocks(pipeline, clocks, options);
  return { bound, missing };
}

function boundOfClocks(pipeline: PipelineState, clocks: [string, ShardClock][], options: PipelineBoundOptions): number | undefined {
  const started = Math.min(...clocks.map(([, clock]) => clock.firstSeenAt ?? clock.activeAt));
  const pending = options.open.filter((shard) => !pipeline.shards.has(shard) && options.now - started <= options.idleTimeoutMs);
  if (pending.length > 0) return undefined;
  // Records that came with no watermark at all bound the pipeline only while no shard has seen one.
  const marked = clocks.some(([, clock]) => markedPaths(clock).length > 0);
  const bounding = (clock: ShardClock): [string, { eventTime: number; activeAt: number }][] => (marked ? markedPaths(clock) : [...clock.paths].filter(([path]) => path === SELF_PATH));
  // Every shard holds the watermark until it is past the end of input or finished (a child of
  // it has reported): a quiet shard still gets every path's watermarks, so it is only behind.
  const holding = clocks.filter(([, clock]) => !clock.paths.has(FINAL_PATH) && clock.finished !== true);
  const active = new Set<string>();
  for (const [, clock] of holding) for (const [path, { activeAt }] of bounding(clock)) if (options.now - activeAt <= options.idleTimeoutMs) active.add(path);
  let bound = FINAL_EVENT_TIME;
  for (const [, clock] of holding) {
    const paths = new Map(bounding(clock));
    for (const path of active) {
      const clockOfPath = paths.get(path);
      if (clockOfPath === undefined) return undefined;
      bound = Math.min(bound, clockOfPath.eventTime);
    }
  }
  if (active.size === 0 && holding.length > 0) return undefined;
  // The end of input on every path needs no grace: nothing more can come.
  return bound < FINAL_EVENT_TIME && options.startupGraceMs > 0 && options.now - started < options.startupGraceMs ? undefined : bound;
}
