import { collectBatch, sliceUpdates, type Positioned } from '../aggregate/collect.js';
import type { CompiledQuery } from '../aggregate/compile.js';
import { isControl, type CleanInput } from '../aggregate/control.js';
import { publishedContinuousRows } from '../aggregate/emit.js';
import { eventTimeOf, formatLocal } from '../aggregate/eventTime.js';
import { checkpointAttribute, groupsOfImage } from '../aggregate/partials.js';
import { positionKey } from '../aggregate/position.js';
import { toRows } from '../aggregate/rows.js';
import { sliceOf, sliceSize } from '../aggregate/windows.js';
import { BEFORE_TIME, SELF_PATH, controlPath } from '../aggregate/watermark.js';
import { FINAL_EVENT_TIME, type PipelineState } from '../ports/AggregateStateStore.js';
import type { ErrorDocument, ErrorSink } from '../ports/ErrorSink.js';
import { errorDocument, type Decoded } from '../stage/decode.js';
import { createWindowFiring, type FiringDeps } from './fireWindows.js';

/** Dependencies of the aggregate operator. */
export interface AggregateDeps extends FiringDeps {
  /** Where late records go (the error output, type `late-data`). */
  readonly late: ErrorSink;
}

/** What one batch did: in = counted + late + replayed + control (+ rejected by the stage). */
export interface AggregateOutcome {
  /** Records applied to the state of every query they belong to. */
  readonly counted: number;
  /** Records too late for at least one windowed query, written to the late-data output. */
  readonly late: number;
  /** Records an earlier delivery of this batch applied in full, skipped (control records not included). */
  readonly replayed: number;
  /** Control records (watermarks, the end-of-input signal) in the batch, applied now or before. */
  readonly control: number;
  /** Windows emitted and rows published. */
  readonly windows: number;
  readonly rows: number;
}


/**
 * Creates the aggregate operator for one shard's batch: judge lateness against the shard's own
 * clock and each query's fired watermark, pre-aggregate into one update per touched slice, apply
 * them exactly once, emit continuous queries' rows, advance the shard's clock, then fire what
 * the pipeline's watermark has passed. Every step is idempotent, so a failure anywhere is
 * answered by delivering the batch again.
 */
export function createAggregateOperator(deps: AggregateDeps): (batch: readonly Decoded<CleanInput>[]) => Promise<AggregateOutcome> {
  const fire = createWindowFiring(deps);
  const continuous = new Map(deps.queries.filter((query) => !query.windowed).map((query) => [query.name, query]));
  return async (batch) => {
    const first = batch[0];
    if (first === undefined) return { counted: 0, late: 0, replayed: 0, control: 0, windows: 0, rows: 0 };
    const shard = first.origin.shard;
    const pipeline = await deps.state.readPipeline();
    const own = pipeline.shards.get(shard);
    const fresh = batch.filter(({ origin }) => own?.position === undefined || positionKey(origin) > own.position);
    const records: Positioned[] = [];
    const raised = new Map<string, number>();
    const raise = (path: string, eventTime: number): void => {
      const current = Math.max(raised.get(path) ?? BEFORE_TIME, own?.paths.get(path)?.eventTime ?? BEFORE_TIME);
      if (eventTime > current) raised.set(path, eventTime);
    };
    for (const { value, origin } of fresh) {
      if (!isControl(value)) {
        const eventTime = eventTimeOf(value.tr_datetime) as number;
        records.push({ record: value, eventTime, position: positionKey(origin), origin });
        raise(SELF_PATH, eventTime);
      } else raise(...controlPath(value));
    }
    const limits = lateness(deps.queries, pipeline);
    const positions = fresh.map(({ origin }) => positionKey(origin));
    const span = { first: positions[0] ?? '', last: positions[positions.length - 1] ?? '' };
    const behind = (query: CompiledQuery, sliceEnd: number): boolean => sliceEnd + query.definition.allowedLatenessMs <= (limits.get(query.name) ?? BEFORE_TIME);
    let collected = collectBatch(deps.queries, records, behind);
    if (collected.late.size > 0) {
      // A batch delivered again finds behind the watermark the windows another shard fired after its
      // first attempt wrote their slices: those records are in, not late (and their windows go out again).
      const held = await slicesHolding(deps, shard, span.first, collected.late);
      if (held.size > 0) collected = collectBatch(deps.queries, records, (query, sliceEnd) => behind(query, sliceEnd) && !held.has(`${query.name}@${sliceEnd - sliceSize(query.definition.window)}`));
    }
    const sizes = await deps.state.addDistinct([...collected.distinct.values()]);
    const updates = sliceUpdates(deps.queries, collected, sizes);
    const images = await deps.state.applySlices(shard, span, updates);
    await deps.late.write(lateDocuments(collected.late, limits));

    let rows = 0;
    for (const image of images) {
      const query = continuous.get(image.query);
      if (query === undefined) continue;
      const result = toRows(query, groupsOfImage(image.attributes));
      await deps.results.putContinuous(query.name, result, image.version);
      const published = publishedContinuousRows(query, result, image.version);
      await deps.publisher.publish(published);
      rows += published.length;
    }

    const finishedParents = own === undefined ? await deps.shards.parentsOf(shard) : [];
    if (fresh.length > 0) await deps.state.advanceShard(shard, { position: span.last, activeAt: deps.clock(), paths: raised, finishedParents });

    const touched = new Map<string, Set<number>>();
    for (const update of updates) if (!continuous.has(update.query)) touched.set(update.query, (touched.get(update.query) ?? new Set()).add(update.slice));
    // Whatever emitted these windows since (another shard, an earlier attempt) did so after the batch arrived.
    const arrivedAt = Math.min(...fresh.map(({ origin }) => origin.arrivalTimestamp));
    const fired = await fire(shard, touched, arrivedAt);
    // Control records count as control whether or not an earlier delivery applied them: a replayed batch's watermarks are not records.
    const control = batch.reduce((n, { value }) => n + (isControl(value) ? 1 : 0), 0);
    return {
      counted: records.length - collected.late.size,
      late: collected.late.size,
      replayed: batch.length - control - records.length,
      control,
      windows: fired.windows,
      rows: rows + fired.rows,
    };
  };
}

/** The slices (`query@start`) of late records that already hold this shard's batch from `first` on: its checkpoint there is at or past it. */
async function slicesHolding(deps: AggregateDeps, shard: string, first: string, late: ReadonlyMap<Positioned, string[]>): Promise<Set<string>> {
  const starts = new Map<string, Set<number>>();
  for (const [positioned, names] of late) {
    for (const name of names) {
      const query = deps.queries.find((candidate) => candidate.name === name) as CompiledQuery;
      starts.set(name, (starts.get(name) ?? new Set()).add(sliceOf(query.definition.window, positioned.eventTime).start));
    }
  }
  const held = new Set<string>();
  for (const [name, slices] of starts) {
    for (const image of await deps.state.readSlices(name, Math.min(...slices), Math.max(...slices) + 1)) {
      const checkpoint = image.attributes[checkpointAttribute(shard)];
      if (slices.has(image.slice) && typeof checkpoint === 'string' && checkpoint >= first) held.add(`${name}@${image.slice}`);
    }
  }
  return held;
}

/**
 * Per windowed query, the watermark its windows have fired up to: a record whose slice ends at
 * or before it (plus the allowed lateness) is late, as in Flink, where the window operator drops
 * a record whose window the watermark has passed. The pipeline's watermark cannot pass a record
 * still on its way by an active path (it waits for every path), so a batch delivered again
 * judges its records as the first delivery did, but for windows another shard fired in between
 * from slices the first delivery had written (see {@link slicesHolding}).
 */
function lateness(queries: readonly CompiledQuery[], pipeline: PipelineState): Map<string, number> {
  const limits = new Map<string, number>();
  for (const query of queries) if (query.windowed) limits.set(query.name, pipeline.fired.get(query.name) ?? BEFORE_TIME);
  return limits;
}

const describeTime = (ms: number): string => (ms >= FINAL_EVENT_TIME ? 'the end of input' : ms <= BEFORE_TIME ? 'the start' : formatLocal(ms));

function lateDocuments(late: ReadonlyMap<Positioned, string[]>, limits: ReadonlyMap<string, number>): ErrorDocument[] {
  return [...late].map(([positioned, names]) =>
    errorDocument('aggregate', positioned.origin, {
      reason: 'late',
      message: `event time ${formatLocal(positioned.eventTime)} is behind the watermark for ${names.map((name) => `${name} (${describeTime(limits.get(name) ?? BEFORE_TIME)})`).join(', ')}: its window has fired`,
    }),
  );
}
