/**
 * The pipeline's errors. Two families take different paths: a {@link PoisonRecordError} is a
 * property of one record (it goes to the error output and the batch goes on); a
 * {@link RetryableError} is a property of the moment (throttling, a timeout) and fails the
 * record or batch so that Kinesis delivers it again.
 */

/** Base of every error eddy raises on purpose. */
export class PipelineError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelineError';
  }
}

/** Where a record sits in its source stream. */
export interface RecordPosition {
  /** Shard id, e.g. `shardId-000000000000`. */
  readonly shardId?: string;
  /** Kinesis sequence number (a decimal string of up to 56 digits). */
  readonly sequenceNumber?: string;
  /** Index of a sub-record inside a KPL-aggregated record. */
  readonly subSequenceNumber?: number;
  /** Index in the batch or line in a file. */
  readonly index?: number;
}

/** A record that can never succeed: malformed, schema violation, unknown product, oversize. */
export class PoisonRecordError extends PipelineError {
  public readonly reason: string;
  public readonly position: RecordPosition;

  public constructor(reason: string, message: string, position: RecordPosition, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoisonRecordError';
    this.reason = reason;
    this.position = position;
  }
}

/** A record that could not be decoded (base64 → UTF-8 → JSON → schema). */
export class DecodeError extends PoisonRecordError {
  public constructor(reason: string, message: string, position: RecordPosition, options?: ErrorOptions) {
    super(reason, message, position, options);
    this.name = 'DecodeError';
  }
}

/** A transient failure: retrying the same work later may succeed. */
export class RetryableError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

/** Another invocation saved the same state item first: the batch is delivered again and reads it afresh. */
export class StateConflictError extends RetryableError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StateConflictError';
  }
}

/** Entries a batch call left unprocessed after every retry (FailedRecordCount, UnprocessedItems/Keys). */
export class PartialBatchError extends RetryableError {
  /** Indexes, in the caller's input, of the entries that still failed. */
  public readonly failedIndexes: readonly number[];

  public constructor(message: string, failedIndexes: readonly number[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'PartialBatchError';
    this.failedIndexes = failedIndexes;
  }
}

/** A configuration value (environment variable, flag, serverless.yml field) is missing or invalid. */
export class ConfigError extends PipelineError {
  /** The variable, flag or field at fault. */
  public readonly key: string;

  public constructor(key: string, message: string, options?: ErrorOptions) {
    super(`${key}: ${message}`, options);
    this.name = 'ConfigError';
    this.key = key;
  }
}

/**
 * A state write DynamoDB cannot take as designed (an item over 400 KB, an update expression
 * over 4 KB): retrying will not help, the query's state layout must change (more distinct
 * buckets, fewer groups per slice). It fails the batch loudly rather than count wrong.
 */
export class StateLimitError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StateLimitError';
  }
}
