import { SEP } from '../aggregate/partials.js';
import { pipelineBound } from '../aggregate/watermark.js';
import type { AggregateStateStore, PipelineState } from '../ports/AggregateStateStore.js';
import type { ShardDirectory } from '../ports/ShardDirectory.js';

/** The startup grace when none is configured and no source streams are known: enough for every path's first watermark. */
export const DEFAULT_STARTUP_GRACE_MS = 10_000;

/** What the pipeline's watermark is computed from: shard clocks, the open shards, and the paths to wait for. */
export interface PipelineWatermarkDeps {
  readonly state: Pick<AggregateStateStore, 'readPipeline' | 'noteMissing'>;
  /** The input stream's shards. */
  readonly shards: ShardDirectory;
  /**
   * The upstream streams whose shards make the watermark paths (the raw stream, then the
   * enriched stream): every open combination is waited for, as Flink waits for every split.
   */
  readonly sources?: readonly [ShardDirectory, ShardDirectory];
  /** A path silent this long no longer holds the watermark back (Flink's `withIdleness`). */
  readonly idleTimeoutMs: number;
  /** Nothing is bounded this long after the first batch, so every path can report. @default 0 with `sources`, else 10,000 */
  readonly startupGraceMs?: number;
}

/** The watermark paths records can take: every open raw shard through every open enriched shard. */
async function expectedPaths([raw, enriched]: readonly [ShardDirectory, ShardDirectory]): Promise<string[]> {
  const [sources, vias] = await Promise.all([raw.openShards(), enriched.openShards()]);
  return sources.flatMap((source) => vias.map((via) => `${source}${SEP}${via}`));
}

/**
 * The pipeline's event-time bound now (see `pipelineBound`), or undefined while it must wait.
 * Expected paths newly found missing are recorded, so that they stop holding it back after the
 * idle timeout.
 * @param now - processing time, epoch ms
 */
export async function currentBound(deps: PipelineWatermarkDeps, pipeline: PipelineState, now: number): Promise<number | undefined> {
  const open = await deps.shards.openShards();
  const expected = deps.sources === undefined ? undefined : await expectedPaths(deps.sources);
  const startupGraceMs = deps.startupGraceMs ?? (deps.sources === undefined ? DEFAULT_STARTUP_GRACE_MS : 0);
  const { bound, missing } = pipelineBound(pipeline, { open, now, idleTimeoutMs: deps.idleTimeoutMs, startupGraceMs, ...(expected ? { expected } : {}) });
  const newlyMissing = missing.filter((path) => !pipeline.missing.has(path));
  if (newlyMissing.length > 0) await deps.state.noteMissing(newlyMissing, now);
  return bound;
}
