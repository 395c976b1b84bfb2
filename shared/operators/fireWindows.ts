import type { CompiledQuery } from '../aggregate/compile.js';
import { publishedWindowRows, windowResults } from '../aggregate/emit.js';
import { crossesWindowEnd, windowsEndingIn, windowsOfSlice, type Interval } from '../aggregate/windows.js';
import { FINAL_EVENT_TIME, type AggregateStateStore, type FiringClaim, type SliceImage } from '../ports/AggregateStateStore.js';
import type { ResultPublisher } from '../ports/ResultPublisher.js';
import type { ResultStore } from '../ports/ResultStore.js';
import { BEFORE_TIME } from '../aggregate/watermark.js';
import { FINAL_WATERMARK } from '../aggregate/control.js';
import type { ControlBroadcaster } from '../ports/ControlBroadcaster.js';
import { currentBound, type PipelineWatermarkDeps } from './pipelineWatermark.js';

/** Dependencies of window firing. */
export interface FiringDeps extends PipelineWatermarkDeps {
  readonly queries: readonly CompiledQuery[];
  readonly state: AggregateStateStore;
  readonly results: ResultStore;
  readonly publisher: ResultPublisher;
  /** Processing time, epoch ms. */
  readonly clock: () => number;
  /** A firing claimed this long ago and not completed is taken over by another invocation. */
  readonly firingTimeoutMs: number;
  /**
   * The aggregates stream's readers: once every window has fired at the end of input, the
   * end-of-input signal goes on to them (Flink forwards its final watermark downstream).
   */
  readonly downstream?: ControlBroadcaster;
}

/** What a firing round emitted. */
export interface FiringOutcome {
  readonly windows: number;
  readonly rows: number;
}

/** Slices this invocation wrote, per query, to re-emit windows that fired without them. */
export type TouchedSlices = ReadonlyMap<string, ReadonlySet<number>>;


/** Window ends in `(from, to]`. */
interface Range {
  readonly from: number;
  readonly to: number;
}

/** The slices that windows ending in the range can hold: from one window size before `from`. */
const spanOf = ({ from, to }: Range, size: number): Range => ({ from: Math.max(from - size, BEFORE_TIME + 1), to: Math.min(to, FINAL_EVENT_TIME) });

/** A query's watermark: the pipeline's bound minus the query's out-of-orderness. */
export function queryWatermark(bound: number | undefined, query: CompiledQuery): number | undefined {
  if (bound === undefined) return undefined;
  return bound >= FINAL_EVENT_TIME ? FINAL_EVENT_TIME : bound - query.definition.watermark.outOfOrdernessMs;
}

/**
 * Creates the firing round run after each batch. A query's windows fire once the watermark
 * passes their end: one conditional write claims the range for every query at once, the claimer
 * reads the slices, writes the results and publishes the rows, then marks the claim done. An
 * invocation that dies in between leaves the claim pending; its retry (same shard) or, after the
 * firing timeout, any invocation completes it, publishing only the rows not already on the
 * stream. Windows of slices this invocation wrote that had already fired (a late record within
 * the allowed lateness, or a firing that raced the write) are emitted again at a higher revision;
 * their rows already on the stream since the batch arrived (`arrivedAt`) are not published again:
 * a batch delivered again after its slices were written finds them emitted by another shard
 * (which wrote the same window since) or by its own earlier attempt, at the same revision.
 */
export function createWindowFiring(deps: FiringDeps): (owner: string, touched: TouchedSlices, arrivedAt: number) => Promise<FiringOutcome> {
  const windowed = deps.queries.filter((query) => query.windowed);
  let windows = 0;
  let rows = 0;

  /** Writes and publishes the results of windows computed from the slices read. */
  const emitWindows = async (query: CompiledQuery, due: readonly Interval[], slices: readonly SliceImage[], since?: number): Promise<Interval[]> => {
    const results = windowResults(query, due, slices);
    await deps.results.putWindows(query.name, results);
    const published = publishedWindowRows(query, results);
    await deps.publisher.publish(published, since === undefined ? undefined : { since });
    windows += results.length;
    rows += published.length;
    return [...due];
  };

  /** Emits every window with data ending in `(from, to]`. */
  const emitRange = async (query: CompiledQuery, range: Range, since?: number): Promise<Interval[]> => {
    const size = query.definition.window.kind === 'none' ? 0 : query.definition.window.size.ms;
    const span = spanOf(range, size);
    const slices = await deps.state.readSlices(query.name, span.from, span.to);
    const due = windowsEndingIn(query.definition.window, slices.map((image) => image.slice), range.from, range.to);
    return emitWindows(query, due, slices, since);
  };

  /** Emits the given windows again, from their slices as they are now, publishing only rows not on the stream since `since`. */
  const emitAgain = async (query: CompiledQuery, due: readonly Interval[], since: number): Promise<void> => {
    if (due.length === 0) return;
    const slices = await deps.state.readSlices(query.name, Math.min(...due.map((w) => w.start)), Math.max(...due.map((w) => w.end)));
    await emitWindows(query, due, slices, since);
  };

  return async (owner, touched, arrivedAt) => {
    windows = 0;
    rows = 0;
    const now = deps.clock();
    const pipeline = await deps.state.readPipeline();
    const bound = await currentBound(deps, pipeline, now);
    const claims: FiringClaim[] = [];
    const emitted = new Map<string, Set<string>>();
    const remember = (query: string, due: readonly Interval[]): void => {
      const set = emitted.get(query) ?? new Set<string>();
      emitted.set(query, set);
      for (const w of due) set.add(`${w.start}:${w.end}`);
    };
    for (const query of windowed) {
      const pending = pipeline.pending.get(query.name);
      if (pending !== undefined) {
        const mine = pending.owner === owner;
        if (!mine && now - pending.claimedAt <= deps.firingTimeoutMs) continue;
        if (!mine && !(await deps.state.takeOverFiring(query.name, pending, owner, now))) continue;
        remember(query.name, await emitRange(query, { from: pending.from, to: pending.to }, pending.claimedAt));
        await deps.state.completeFiring(query.name, pending.to);
        continue;
      }
      const watermark = queryWatermark(bound, query);
      const fired = pipeline.fired.get(query.name);
      if (watermark !== undefined && crossesWindowEnd(query.definition.window, fired ?? BEFORE_TIME, watermark)) claims.push({ query: query.name, from: fired, to: watermark });
    }
    const firedNow = new Map(pipeline.fired);
    if (await deps.state.claimFiring(owner, claims, now)) {
      // Each query's windows go out in order; the queries side by side (each writes its own results and pipeline attributes).
      await Promise.all(
        claims.map(async (claim) => {
          const query = windowed.find((candidate) => candidate.name === claim.query) as CompiledQuery;
          remember(query.name, await emitRange(query, { from: claim.from ?? BEFORE_TIME, to: claim.to }));
          await deps.state.completeFiring(query.name, claim.to);
          firedNow.set(query.name, claim.to);
        }),
      );
    }
    // After the end of input every invocation says so again: a reader that missed it (a crash) still gets it.
    if (deps.downstream !== undefined && bound !== undefined && bound >= FINAL_EVENT_TIME && windowed.every((query) => (firedNow.get(query.name) ?? BEFORE_TIME) >= FINAL_EVENT_TIME)) {
      await deps.downstream.broadcast([FINAL_WATERMARK]);
    }
    for (const query of windowed) {
      const fired = firedNow.get(query.name);
      const slices = touched.get(query.name);
      if (fired === undefined || slices === undefined) continue;
      const done = emitted.get(query.name) ?? new Set<string>();
      const again = new Map<string, Interval>();
      for (const slice of slices) {
        for (const w of windowsOfSlice(query.definition.window, slice)) if (w.end <= fired && !done.has(`${w.start}:${w.end}`)) again.set(`${w.start}:${w.end}`, w);
      }
      await emitAgain(query, [...again.values()], arrivedAt);
    }
    return { windows, rows };
  };
}
