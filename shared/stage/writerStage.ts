import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { WriterInput, WriterOutcome } from '../operators/s3Writer.js';
import type { ErrorSink } from '../ports/ErrorSink.js';
import { countByReason, type StageReport } from './createKinesisStage.js';
import { decodeBatch, type Decoded, type Parse } from './decode.js';

/** What an S3 writer reports per invocation: a stage report plus files and markers committed. */
export type WriterReport = StageReport & { readonly replayed: number; readonly files: number; readonly markers: number };

/** Dependencies of {@link createWriterStage}. */
export interface WriterStageDeps {
  /** The stage name in reports and error documents. @default 's3-writer' */
  readonly stage?: string;
  readonly parse: Parse<WriterInput>;
  readonly maxRecordBytes: number;
  readonly operator: (batch: readonly Decoded<WriterInput>[]) => Promise<WriterOutcome>;
  readonly errors: ErrorSink;
  readonly report?: (report: WriterReport) => void;
}

/**
 * Wires decode → error output → S3 writer for a Kinesis-triggered writer. The writer's effects
 * are idempotent per record position, so any failure is thrown and Lambda delivers the batch
 * again. Counts: in = out (staged) + rejected + replayed; control records are counted apart.
 */
export function createWriterStage(deps: WriterStageDeps): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  const stage = deps.stage ?? 's3-writer';
  return async (event) => {
    const { decoded, rejected, count } = decodeBatch(event.Records, stage, deps.parse, deps.maxRecordBytes);
    if (rejected.length > 0) await deps.errors.write(rejected);
    const outcome = await deps.operator(decoded);
    deps.report?.({
      stage,
      in: count - outcome.control,
      out: outcome.staged,
      rejected: countByReason([...rejected, ...outcome.rejected]),
      duplicates: 0,
      failed: 0,
      replayed: outcome.replayed,
      control: outcome.control,
      files: outcome.files,
      markers: outcome.markers,
    });
    return { batchItemFailures: [] };
  };
}
