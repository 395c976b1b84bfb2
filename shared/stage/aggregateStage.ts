import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { CleanInput } from '../aggregate/control.js';
import type { AggregateOutcome } from '../operators/aggregate.js';
import type { ErrorSink } from '../ports/ErrorSink.js';
import { countByReason, type StageReport } from './createKinesisStage.js';
import { decodeBatch, type Decoded, type Parse } from './decode.js';

/** What the aggregate stage reports per invocation: a stage report plus windows and rows. */
export type AggregateReport = StageReport & Omit<AggregateOutcome, 'counted' | 'late'>;

/** Dependencies of {@link createAggregateStage}. */
export interface AggregateStageDeps {
  readonly parse: Parse<CleanInput>;
  readonly maxRecordBytes: number;
  readonly operator: (batch: readonly Decoded<CleanInput>[]) => Promise<AggregateOutcome>;
  readonly errors: ErrorSink;
  readonly report?: (report: AggregateReport) => void;
}

/**
 * Wires decode → error output → aggregate operator for the Kinesis-triggered aggregate stage.
 * The operator's effects are idempotent per record position, so any failure is thrown and
 * Lambda delivers the whole batch again; there are no per-record failures to report.
 * Counts: in = out (counted) + rejected (late included, under `late`) + replayed; control
 * records are counted apart.
 */
export function createAggregateStage(deps: AggregateStageDeps): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  return async (event) => {
    const { decoded, rejected, count } = decodeBatch(event.Records, 'aggregate', deps.parse, deps.maxRecordBytes);
    if (rejected.length > 0) await deps.errors.write(rejected);
    const outcome = await deps.operator(decoded);
    const byReason = countByReason(rejected);
    if (outcome.late > 0) byReason.late = outcome.late;
    deps.report?.({
      stage: 'aggregate',
      in: count - outcome.control,
      out: outcome.counted,
      rejected: byReason,
      duplicates: 0,
      failed: 0,
      replayed: outcome.replayed,
      control: outcome.control,
      windows: outcome.windows,
      rows: outcome.rows,
    });
    return { batchItemFailures: [] };
  };
}
