import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { ErrorDocument, ErrorSink } from '../ports/ErrorSink.js';
import type { RecordSink } from '../ports/RecordSink.js';
import { assertPutRecordFits } from '../batching/putRecordsChunks.js';
import { KINESIS_LIMITS } from '../constants.js';
import { PoisonRecordError } from '../errors.js';
import { decodeBatch, errorDocument, type Decoded, type Parse, type RecordOrigin } from './decode.js';
import type { WatermarkEmission } from './watermarks.js';

/**
 * What a stage's operator returns: each decoded input ends in `outputs`, `rejected`, or is
 * counted as a duplicate or as already published.
 */
export interface StageOutput<O> {
  readonly outputs: readonly { readonly record: O; readonly origin: RecordOrigin }[];
  readonly rejected: readonly ErrorDocument[];
  /** Inputs dropped because their primary key was already forwarded. @default 0 */
  readonly duplicates?: number;
  /**
   * Inputs of a redelivered batch not put again because an earlier attempt's put of them is
   * already on the output stream (dedupe only). Unset for stages that never check.
   */
  readonly alreadyPublished?: number;
}

/** Counts of one invocation: in = out + rejected + duplicates + alreadyPublished + failed. */
export interface StageReport {
  readonly stage: string;
  /** Sub-records decoded from the batch (a KPL record counts as its sub-records). */
  readonly in: number;
  /** Records written to the output stream. */
  readonly out: number;
  /** Records written to the error output, by reason. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Records dropped as duplicates of a primary key already forwarded. */
  readonly duplicates: number;
  /** Records whose output write still failed: reported in batchItemFailures for redelivery. */
  readonly failed: number;
  /** Records of a redelivered batch already on the output stream from an earlier attempt: not written again. Set by stages that check (dedupe). */
  readonly alreadyPublished?: number;
  /** Control records (watermarks) read, outside the record counts. Set by stages that read them. */
  readonly control?: number;
}

/** Dependencies of {@link createKinesisStage}. */
export interface KinesisStageDeps<T, O> {
  readonly stage: string;
  readonly parse: Parse<T>;
  /** Larger records are rejected as `oversize`. */
  readonly maxRecordBytes: number;
  readonly operator: (batch: readonly Decoded<T>[]) => Promise<StageOutput<O>>;
  readonly sink: RecordSink;
  readonly errors: ErrorSink;
  readonly partitionKeyOf: (record: O) => string;
  /** Receives each invocation's counts (metrics, logs). */
  readonly report?: (report: StageReport) => void;
  /**
   * Watermarks to put on every output shard once the batch's outputs have all landed (see
   * `aggregate/control.ts`); the stage then also reads control records from its input.
   */
  readonly watermarks?: WatermarkEmission<T>;
}

/**
 * Wires decode → operator → error output → output stream for a Kinesis-triggered stage and
 * answers Lambda with `batchItemFailures`. Rejected records are written first (idempotently);
 * a failure there throws, so the whole batch is delivered again. Output entries that still fail
 * after the sink's retries are reported by their source sequence numbers; Lambda then
 * checkpoints at the lowest of them. Nothing is caught and logged away.
 */
export function createKinesisStage<T, O>(deps: KinesisStageDeps<T, O>): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  return async (event) => {
    const { decoded, rejected: undecodable, controls, count } = decodeBatch(event.Records, deps.stage, deps.parse, deps.maxRecordBytes, { controls: deps.watermarks !== undefined });
    const operated = await deps.operator(decoded);
    const { duplicates = 0, alreadyPublished } = operated;
    const { outputs, unfit } = fitOutputs(operated.outputs, deps.stage, deps.partitionKeyOf);
    const allRejected = [...undecodable, ...operated.rejected, ...unfit];
    if (allRejected.length > 0) await deps.errors.write(allRejected);
    const outcome = await deps.sink.put(outputs.map(({ data, partitionKey }) => ({ data, partitionKey })));
    const failedSeqs = [...new Set(outcome.failed.map((index) => (outputs[index] as { origin: RecordOrigin }).origin.seq))];
    const first = event.Records[0];
    if (deps.watermarks !== undefined && first !== undefined && outcome.failed.length === 0) {
      // Only behind records that all landed: a watermark ahead of a record would make it late.
      const shard = first.eventID.slice(0, first.eventID.lastIndexOf(':'));
      await deps.watermarks.broadcaster.broadcast(deps.watermarks.watermarksOf({ shard, decoded, controls }));
    }
    const byReason = countByReason(allRejected);
    deps.report?.({
      stage: deps.stage,
      in: count,
      out: outputs.length - outcome.failed.length,
      rejected: byReason,
      duplicates,
      ...(deps.watermarks === undefined ? {} : { control: controls.length }),
      failed: outcome.failed.length,
      ...(alreadyPublished === undefined ? {} : { alreadyPublished }),
    });
    return { batchItemFailures: failedSeqs.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** Error documents counted by reason, as a stage report holds them. */
export function countByReason(documents: readonly ErrorDocument[]): Record<string, number> {
  const byReason: Record<string, number> = {};
  for (const document of documents) byReason[document.errorCode] = (byReason[document.errorCode] ?? 0) + 1;
  return byReason;
}

/** Strings up to this many UTF-16 units are under 1 MiB in UTF-8 whatever they hold. */
const FAST_FIT_UNITS = Math.floor(KINESIS_LIMITS.recordMaxBytes / 3);

/**
 * Serializes the outputs and sets aside those Kinesis would refuse (over 1 MiB with the key, or
 * a key outside 1–256 characters) as error documents, so a poison output never fails the batch.
 */
function fitOutputs<O>(
  outputs: StageOutput<O>['outputs'],
  stage: string,
  partitionKeyOf: (record: O) => string,
): { outputs: { data: string; partitionKey: string; origin: RecordOrigin }[]; unfit: ErrorDocument[] } {
  const fit: { data: string; partitionKey: string; origin: RecordOrigin }[] = [];
  const unfit: ErrorDocument[] = [];
  outputs.forEach(({ record, origin }, index) => {
    const output = { data: JSON.stringify(record), partitionKey: partitionKeyOf(record) };
    try {
      // UTF-8 takes at most 3 bytes per UTF-16 unit: short records need no exact count.
      const surelyFits = output.data.length + output.partitionKey.length <= FAST_FIT_UNITS && output.partitionKey.length >= 1 && output.partitionKey.length <= 256;
      if (!surelyFits) assertPutRecordFits(output, index);
      fit.push({ data: output.data, partitionKey: output.partitionKey, origin });
    } catch (error) {
      if (!(error instanceof PoisonRecordError)) throw error;
      unfit.push(errorDocument(stage, origin, error));
    }
  });
  return { outputs: fit, unfit };
}
