/**
 * Why a record went to the error output. Each reason maps to the Firehose-style
 * `error-output-type` that names its folder under the error prefix.
 */
export const ERROR_REASONS = {
  /** The data is not valid UTF-8. */
  not_utf8: 'malformed',
  /** The data is not one JSON document. */
  not_json: 'malformed',
  /** A KPL-aggregated record whose envelope is corrupt. */
  bad_aggregate: 'malformed',
  /** Valid JSON that breaks the schema (missing field, wrong type, inconsistent time). */
  schema_violation: 'schema-violation',
  /** The product code is not in the product dimension. */
  unknown_product: 'unknown-product',
  /** The record is larger than the stage accepts, or its output would exceed a Kinesis record. */
  oversize: 'oversize',
  /** The output's partition key (its primary key) is not 1–256 characters. */
  partition_key: 'schema-violation',
  /** Event time behind the watermark by more than the allowed lateness: its window has fired. */
  late: 'late-data',
} as const;

/** One reason a record was rejected. */
export type ErrorReason = keyof typeof ERROR_REASONS;

/** The folder name of an error reason (`!{firehose:error-output-type}`). */
export const errorOutputType = (reason: ErrorReason): string => ERROR_REASONS[reason];
