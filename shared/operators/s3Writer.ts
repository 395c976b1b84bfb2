import { parseControl, isControl, type ControlRecord } from '../aggregate/control.js';
import { positionKey } from '../aggregate/position.js';
import { BEFORE_TIME, SELF_PATH, controlPath } from '../aggregate/watermark.js';
import { deterministicRandomString } from '../lake/prefixExpressions.js';
import { FINAL_EVENT_TIME, type AggregateStateStore, type PipelineState, type ShardClock } from '../ports/AggregateStateStore.js';
import type { ErrorDocument, ErrorSink } from '../ports/ErrorSink.js';
import type { Decoded, Parse } from '../stage/decode.js';
import { uploadFullPart } from '../writer/fileUploads.js';
import { appendStaged, filesToRoll } from '../writer/files.js';
import { eventTimeOfField, stageBatch, type Placement, type WriterRecord } from '../writer/stageBatch.js';
import { currentBound, type PipelineWatermarkDeps } from './pipelineWatermark.js';
import { commitPending, settleShard, settleShards, stagingOf, type CommitCounts, type CommitDeps } from './writerCommits.js';

/** What the S3 writer reads: any JSON object, or a control record. */
export type WriterInput = Record<string, unknown> | ControlRecord;

/** Parses a record for the S3 writer: a control record, or any JSON object. */
export const parseWriterInput: Parse<WriterInput> = (json) => {
  const control = parseControl(json);
  if (control !== undefined) return control;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, message: 'a record must be a JSON object' };
  return { ok: true, value: json as Record<string, unknown> };
};

/** Dependencies of the S3 writer. */
export interface WriterDeps extends CommitDeps {
  readonly placement: Omit<Placement, 'randomString'>;
  /** Subtracted from the pipeline's bound to give the watermark (Flink's bounded out-of-orderness). */
  readonly outOfOrdernessMs: number;
  readonly watermark: PipelineWatermarkDeps & { readonly state: Pick<AggregateStateStore, 'readPipeline' | 'noteMissing' | 'advanceShard'> };
  /** Where records that cannot be placed go (the error output). */
  readonly errors: ErrorSink;
  /** Processing time, epoch ms. */
  readonly clock: () => number;
  /**
   * The scheduled sweep leaves alone a shard whose own invocation moved its clock less than this
   * long ago: that shard settles itself at each batch, and a sweep saving its state between an
   * invocation's read and save would fail that invocation (a function error, redelivered).
   * @default 60,000 (the sweep's rate)
   */
  readonly sweepQuietMs?: number;
}

/** {@link WriterDeps.sweepQuietMs} when not given. */
export const DEFAULT_SWEEP_QUIET_MS = 60_000;

/** What one batch did: in = written + rejected + replayed (+ control, counted apart). */
export interface WriterOutcome extends CommitCounts {
  /** Records staged into open files. */
  readonly staged: number;
  readonly rejected: readonly ErrorDocument[];
  /** Records an earlier delivery of this batch already staged, skipped. */
  readonly replayed: number;
  readonly control: number;
}

const fileName = (shard: string, position: string, extension: string): string => `part-${shard}-${position}${extension}`;

/**
 * Creates the S3 writer for one shard's batch: commit what an earlier attempt left pending,
 * upload full parts, stage the batch's new records in one object and save the shard's state,
 * advance the shard's clock by the batch's watermarks, roll what is due (saved as pending: the
 * pre-commit) and commit it, then mark the partitions that are complete. Every step is idempotent, so a failure anywhere
 * is answered by delivering the batch again; each record ends in exactly one committed file.
 */
export function createS3Writer(deps: WriterDeps): (batch: readonly Decoded<WriterInput>[]) => Promise<WriterOutcome> {
  return async (batch) => {
    const counts: CommitCounts = { files: 0, records: 0, markers: 0 };
    const first = batch[0];
    if (first === undefined) return { ...counts, staged: 0, rejected: [], replayed: 0, control: 0 };
    const shard = first.origin.shard;
    const now = deps.clock();
    let state = await commitPending(deps, shard, await deps.files.read(shard), now, counts);
    const staying = await Promise.all(state.files.map((file) => uploadFullPart(file, state.staged, deps.objects, deps.format)));

    const fresh = batch.filter(({ origin }) => state.checkpoint === undefined || positionKey(origin) > state.checkpoint);
    const records: WriterRecord[] = [];
    for (const { value, origin } of fresh) if (!isControl(value)) records.push({ record: value, origin, position: positionKey(origin) });
    const staged = stageBatch(records, { ...deps.placement, randomString: deterministicRandomString(`${deps.writer}/${shard}`) }, deps.format, 's3-writer');
    const positions = fresh.map(({ origin }) => positionKey(origin));
    // Named by its first record: a batch delivered again after a crash (whole or bisected) starts
    // with the same record, so it replaces what the crashed attempt staged instead of orphaning it.
    const stagedKey = `${stagingOf(deps, shard)}${records[0]?.position ?? ''}`;
    if (staged.appends.length > 0) await deps.objects.put(stagedKey, staged.body);
    // Before the checkpoint moves past them: a batch delivered again skips its staged records.
    if (staged.rejected.length > 0) await deps.errors.write(staged.rejected);
    // As Flink checks its rolling policy before a record joins a file: a file that the pause (or
    // its size) made due rolls now, and the batch's records open new files.
    const due = filesToRoll(staying, { policy: deps.policy, caps: deps.caps, now, watermark: undefined, partitionEndDelayMs: undefined });
    const open = staying.filter((file) => !due.has(file));
    const appended = appendStaged({ staged: state.staged, files: open }, stagedKey, staged.appends, now, (prefix, position) => `${prefix}${fileName(shard, position, deps.format.extension)}`);
    if (fresh.length > 0 || due.size > 0 || staying.some((file, i) => file !== state.files[i])) {
      state = { ...state, ...appended, version: state.version + 1, checkpoint: positions[positions.length - 1] ?? state.checkpoint, pending: [...state.pending, ...due.keys()] };
      await deps.files.save(shard, state);
    }

    // The batch's watermarks count once its records are staged; then what they complete rolls now.
    await advanceClock(deps, shard, batch, (await deps.watermark.state.readPipeline()).shards.get(shard), now);
    const watermark = await watermarkOf(deps, await deps.watermark.state.readPipeline(), now);
    await settleShard(deps, shard, state, watermark, now, counts);
    // Shards that deliver nothing more are settled by any invocation: closed ones, and every one
    // at the end of input. Open shards settle themselves (watermarks reach every one of them),
    // or the sweep does, so that invocations of different shards do not contend.
    const ended = watermark !== undefined && watermark >= FINAL_EVENT_TIME;
    const openShards = new Set(ended ? [] : await deps.watermark.shards.openShards());
    await settleShards(deps, (other) => other !== shard && !openShards.has(other), watermark, now, counts);
    return { ...counts, staged: records.length - staged.rejected.length, rejected: staged.rejected, replayed: batch.length - fresh.length, control: fresh.length - records.length };
  };
}

/**
 * Creates the writer's sweep, run on a schedule: Lambda invokes a stream's function only when
 * records arrive, so a quiet stream's open files would otherwise never reach their rollover or
 * inactivity interval, nor a process-time partition its marker. Settles every shard that has
 * been quiet for `sweepQuietMs`; a busier one settles itself at each batch.
 */
export function createWriterSweep(deps: WriterDeps): () => Promise<CommitCounts> {
  const quietMs = deps.sweepQuietMs ?? DEFAULT_SWEEP_QUIET_MS;
  return async () => {
    const counts: CommitCounts = { files: 0, records: 0, markers: 0 };
    const now = deps.clock();
    const pipeline = await deps.watermark.state.readPipeline();
    const watermark = await watermarkOf(deps, pipeline, now);
    const quiet = (shard: string): boolean => now - (pipeline.shards.get(shard)?.activeAt ?? Number.NEGATIVE_INFINITY) >= quietMs;
    await settleShards(deps, quiet, watermark, now, counts);
    return counts;
  };
}

/** The pipeline's event-time watermark: its bound less the out-of-orderness, or undefined while it waits. */
async function watermarkOf(deps: WriterDeps, pipeline: PipelineState, now: number): Promise<number | undefined> {
  const bound = await currentBound(deps.watermark, pipeline, now);
  return bound === undefined || bound >= FINAL_EVENT_TIME ? bound : bound - deps.outOfOrdernessMs;
}

/**
 * Moves the shard's clock on by the batch's watermarks (and its records' event times, for a
 * stream without watermarks), once its records are staged: a watermark ahead of a record that
 * is not would let its partition be committed without it.
 */
async function advanceClock(deps: WriterDeps, shard: string, batch: readonly Decoded<WriterInput>[], own: ShardClock | undefined, now: number): Promise<void> {
  const raised = new Map<string, number>();
  const raise = (path: string, eventTime: number): void => {
    if (eventTime > Math.max(raised.get(path) ?? BEFORE_TIME, own?.paths.get(path)?.eventTime ?? BEFORE_TIME)) raised.set(path, eventTime);
  };
  const unseen = batch.filter(({ origin }) => own?.position === undefined || positionKey(origin) > own.position);
  const last = unseen[unseen.length - 1];
  if (last === undefined) return;
  for (const { value } of unseen) {
    if (isControl(value)) raise(...controlPath(value));
    else {
      const eventTime = eventTimeOfField(value[deps.placement.eventTimeField]);
      if (eventTime !== undefined) raise(SELF_PATH, eventTime);
    }
  }
  const finishedParents = own === undefined ? await deps.watermark.shards.parentsOf(shard) : [];
  await deps.watermark.state.advanceShard(shard, { position: positionKey(last.origin), activeAt: now, paths: raised, finishedParents });
}
