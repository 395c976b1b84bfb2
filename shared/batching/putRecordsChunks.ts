import { KINESIS_LIMITS } from '../constants.js';
import { PoisonRecordError } from '../errors.js';
import type { OutputRecord } from '../ports/RecordSink.js';

/** The PutRecords bounds {@link putRecordsChunks} packs into; defaults from {@link KINESIS_LIMITS}. */
export interface PutRecordsLimits {
  /** @default KINESIS_LIMITS.putRecordsMaxRecords (500) */
  readonly maxRecords?: number;
  /** @default KINESIS_LIMITS.putRecordsMaxBytes (5 MiB) */
  readonly maxBytes?: number;
  /** @default KINESIS_LIMITS.recordMaxBytes (1 MiB) */
  readonly recordMaxBytes?: number;
}

const encoder = new TextEncoder();

/** Bytes of a payload as Kinesis counts them (UTF-8 for text). */
export function dataBytes(data: string | Uint8Array): number {
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
}

/**
 * Bytes a record counts against the PutRecords limits: its data blob plus its partition key
 * (UTF-8), which is how Kinesis measures both the 1 MiB record and the 5 MiB call limits.
 */
export function recordBytes(record: OutputRecord): number {
  return dataBytes(record.data) + encoder.encode(record.partitionKey).byteLength;
}

/**
 * Checks one record against the per-record limits, throwing a {@link PoisonRecordError} (reason
 * `oversize` or `partition_key`) that names its index: such a record can never be accepted, so
 * the caller decides (stop, or send it to an error output) before anything is sent.
 * @param record - the record
 * @param index - its index in the caller's input, carried in the error's position
 */
export function assertPutRecordFits(record: OutputRecord, index: number, recordMaxBytes: number = KINESIS_LIMITS.recordMaxBytes): number {
  const keyLength = [...record.partitionKey].length;
  if (keyLength < 1 || keyLength > KINESIS_LIMITS.partitionKeyMaxLength) {
    throw new PoisonRecordError('partition_key', `record ${index}: partition key must be 1–${KINESIS_LIMITS.partitionKeyMaxLength} characters, got ${keyLength}`, { index });
  }
  const bytes = recordBytes(record);
  if (bytes > recordMaxBytes) {
    throw new PoisonRecordError('oversize', `record ${index} is ${bytes.toLocaleString('en-US')} bytes (data + partition key), over the ${recordMaxBytes.toLocaleString('en-US')}-byte limit of one Kinesis record`, { index });
  }
  return bytes;
}

/**
 * Splits records into PutRecords calls: consecutive runs of at most 500 records and 5 MiB
 * (data + partition keys). Order is kept, so call `n` holds earlier records than call `n + 1`.
 * Every record is checked first ({@link assertPutRecordFits}), so an oversize record throws
 * before any call is planned.
 * @param records - the records to send
 * @param limits - the bounds, from {@link KINESIS_LIMITS} by default
 * @returns the calls, each a list of indexes into `records`
 */
export function putRecordsChunks(records: readonly OutputRecord[], limits: PutRecordsLimits = {}): number[][] {
  const maxRecords = limits.maxRecords ?? KINESIS_LIMITS.putRecordsMaxRecords;
  const maxBytes = limits.maxBytes ?? KINESIS_LIMITS.putRecordsMaxBytes;
  const recordMaxBytes = Math.min(limits.recordMaxBytes ?? KINESIS_LIMITS.recordMaxBytes, maxBytes);
  const sizes = records.map((record, index) => assertPutRecordFits(record, index, recordMaxBytes));
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  sizes.forEach((size, index) => {
    if (current.length > 0 && (current.length >= maxRecords || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
