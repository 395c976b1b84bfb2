/**
 * The pipeline's watermark from the clean shards' path clocks (see `control.ts`): Flink's rule
 * (the minimum over every input channel, idle channels left out) applied to the paths records
 * take through the repartitioning stages.
 */
import { FINAL_EVENT_TIME, type PipelineState, type ShardClock } from '../ports/AggregateStateStore.js';

/** The path of records that came with no watermark at all (a writer straight to the clean stream). */
export const SELF_PATH = 'self';
/** The path set by the end-of-input signal. */
export const FINAL_PATH = 'final';
/** Before any event time. */
export const BEFORE_TIME = -FINAL_EVENT_TIME;

/** The paths of a shard that bound it: its watermark paths, or its own records when it has none. */
function boundingPaths(clock: ShardClock): [string, { eventTime: number; activeAt: number }][] {
  const paths = [...clock.paths].filter(([path]) => path !== FINAL_PATH);
  const marked = paths.filter(([path]) => path !== SELF_PATH);
  return marked.length > 0 ? marked : paths;
}

/**
 * The event time at or below which this shard will deliver nothing more, by its own clock: the
 * lowest of its paths (all of them, idle or not, so the answer depends only on stored state).
 */
export function shardBound(clock: ShardClock | undefined): number {
  if (clock === undefined) return BEFORE_TIME;
  if (clock.paths.has(FINAL_PATH)) return FINAL_EVENT_TIME;
  const paths = boundingPaths(clock);
  return paths.length === 0 ? BEFORE_TIME : Math.min(...paths.map(([, path]) => path.eventTime));
}

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
}

/**
 * The pipeline's event-time bound (before subtracting a query's out-of-orderness), or undefined
 * while nothing may fire: during the startup grace, while an open shard has not reported, or
 * while a shard lacks a path that is active elsewhere (its records by that path are still to
 * come). Each shard counts its paths that are active anywhere; a shard past the end of input
 * counts as finished.
 */
export function pipelineBound(pipeline: PipelineState, options: PipelineBoundOptions): number | undefined {
  const clocks = [...pipeline.shards];
  if (clocks.length === 0) return undefined;
  const started = Math.min(...clocks.map(([, clock]) => clock.firstSeenAt ?? clock.activeAt));
  if (options.now - started < options.startupGraceMs) return undefined;
  const pending = options.open.filter((shard) => !pipeline.shards.has(shard) && options.now - started <= options.idleTimeoutMs);
  if (pending.length > 0) return undefined;
  const active = new Set<string>();
  for (const [, clock] of clocks) for (const [path, { activeAt }] of boundingPaths(clock)) if (options.now - activeAt <= options.idleTimeoutMs) active.add(path);
  let bound = FINAL_EVENT_TIME;
  for (const [, clock] of clocks) {
    if (clock.paths.has(FINAL_PATH)) continue;
    const paths = new Map(boundingPaths(clock));
    for (const path of active) {
      const clockOfPath = paths.get(path);
      if (clockOfPath === undefined) return undefined;
      bound = Math.min(bound, clockOfPath.eventTime);
    }
  }
  return active.size === 0 && clocks.some(([, clock]) => !clock.paths.has(FINAL_PATH)) ? undefined : bound;
}
