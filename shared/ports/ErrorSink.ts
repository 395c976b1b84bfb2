import type { ErrorReason } from '../errorReasons.js';

/**
 * One rejected record, as written to the error output: one JSON document per record, in the
 * spirit of Firehose's error records (`errorCode`, `errorMessage`, `rawData` base64), plus the
 * stage and the record's exact source position. It holds nothing that changes between
 * deliveries, so writing it again after a retry writes the same bytes.
 */
export interface ErrorDocument {
  readonly stage: string;
  readonly errorCode: ErrorReason;
  readonly errorOutputType: string;
  readonly errorMessage: string;
  /** Source stream name, shard id, sequence number and KPL sub-record index. */
  readonly source: { readonly stream: string; readonly shard: string; readonly seq: string; readonly sub?: number };
  readonly partitionKey: string;
  /** Arrival time of the source record at the stream, epoch milliseconds. */
  readonly arrivalTimestamp: number;
  /** The original bytes, base64. */
  readonly rawData: string;
}

/**
 * Where rejected records go. Writes are idempotent (a record's document has a deterministic
 * address), so a re-delivered batch writes nothing new. A failure throws: the batch is retried.
 */
export interface ErrorSink {
  write(documents: readonly ErrorDocument[]): Promise<void>;
}
