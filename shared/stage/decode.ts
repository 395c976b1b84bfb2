import type { KinesisStreamRecord } from 'aws-lambda';
import { DecodeError } from '../errors.js';
import { errorOutputType, type ErrorReason } from '../errorReasons.js';
import type { ErrorDocument } from '../ports/ErrorSink.js';
import { deaggregate, type SubRecord } from '../kpl.js';
import { isControl, parseControl, type ControlRecord } from '../aggregate/control.js';

/** Where one (sub-)record came from, and its original bytes: enough for an error document. */
export interface RecordOrigin {
  readonly stream: string;
  readonly shard: string;
  readonly seq: string;
  /** KPL sub-record index; absent for a plain record. */
  readonly sub?: number;
  readonly partitionKey: string;
  /** Arrival at the stream, epoch milliseconds. */
  readonly arrivalTimestamp: number;
  readonly bytes: Uint8Array;
}

/** A record that decoded and passed its schema. */
export interface Decoded<T> {
  readonly value: T;
  readonly origin: RecordOrigin;
}

/** A record's schema check: the value, or the message of what is wrong. */
export type Parse<T> = (json: unknown) => { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Result of {@link decodeBatch}: good records in stream order, and documents for the rest. */
export interface DecodedBatch<T> {
  readonly decoded: Decoded<T>[];
  readonly rejected: ErrorDocument[];
  /** Control records (watermarks), when the stage reads them; not counted as records. */
  readonly controls: Decoded<ControlRecord>[];
  /** Sub-records seen (a KPL record counts as its sub-records), control records excluded. */
  readonly count: number;
}

/** Options of {@link decodeBatch}. */
export interface DecodeOptions {
  /**
   * Set aside control records (`{"eddy_control": …}`, see `aggregate/control.ts`) instead of
   * checking them against the schema: for stages downstream of one that sends watermarks.
   * @default false
   */
  readonly controls?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes in one place: base64 → (KPL de-aggregation) → UTF-8 → JSON → schema. A record that
 * fails any step becomes an {@link ErrorDocument} with its reason and position; it never stops
 * the batch.
 * @param records - the `Records` of a Lambda Kinesis event
 * @param stage - the stage's name, written into error documents
 * @param parse - the schema check
 * @param maxBytes - records larger than this are rejected as `oversize`
 */
export function decodeBatch<T>(records: readonly KinesisStreamRecord[], stage: string, parse: Parse<T>, maxBytes: number, options: DecodeOptions = {}): DecodedBatch<T> {
  const decoded: Decoded<T>[] = [];
  const rejected: ErrorDocument[] = [];
  const controls: Decoded<ControlRecord>[] = [];
  const parseAny: Parse<T | ControlRecord> = options.controls ? (json) => parseControl(json) ?? parse(json) : parse;
  let count = 0;
  for (const record of records) {
    const base = {
      stream: record.eventSourceARN.slice(record.eventSourceARN.indexOf('/') + 1),
      shard: record.eventID.slice(0, record.eventID.lastIndexOf(':')),
      seq: record.kinesis.sequenceNumber,
      partitionKey: record.kinesis.partitionKey,
      arrivalTimestamp: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    };
    const bytes = Buffer.from(record.kinesis.data, 'base64');
    let subs: SubRecord[];
    try {
      subs = deaggregate({ data: bytes, partitionKey: base.partitionKey, sequenceNumber: base.seq });
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      count += 1;
      rejected.push(errorDocument(stage, { ...base, bytes }, new DecodeError('bad_aggregate', error.message, { shardId: base.shard, sequenceNumber: base.seq })));
      continue;
    }
    for (const sub of subs) {
      count += 1;
      const origin: RecordOrigin =
        sub.subSequenceNumber === undefined
          ? { stream: base.stream, shard: base.shard, seq: base.seq, partitionKey: sub.partitionKey, arrivalTimestamp: base.arrivalTimestamp, bytes: sub.data }
          : { stream: base.stream, shard: base.shard, seq: base.seq, sub: sub.subSequenceNumber, partitionKey: sub.partitionKey, arrivalTimestamp: base.arrivalTimestamp, bytes: sub.data };
      try {
        const value = decodeOne(origin, parseAny, maxBytes);
        if (options.controls && isControl(value as object)) {
          count -= 1;
          controls.push({ value: value as ControlRecord, origin });
        } else decoded.push({ value: value as T, origin });
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        rejected.push(errorDocument(stage, origin, error));
      }
    }
  }
  return { decoded, rejected, controls, count };
}

const positionOf = (origin: RecordOrigin) => ({ shardId: origin.shard, sequenceNumber: origin.seq, ...(origin.sub === undefined ? {} : { subSequenceNumber: origin.sub }) });

function decodeOne<T>(origin: RecordOrigin, parse: Parse<T>, maxBytes: number): T {
  if (origin.bytes.byteLength > maxBytes) throw new DecodeError('oversize', `record is ${origin.bytes.byteLength} bytes, over the ${maxBytes}-byte limit`, positionOf(origin));
  let text: string;
  try {
    text = utf8.decode(origin.bytes);
  } catch (cause) {
    throw new DecodeError('not_utf8', 'data is not valid UTF-8', positionOf(origin), { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DecodeError('not_json', `data is not JSON: ${(cause as Error).message}`, positionOf(origin), { cause });
  }
  const result = parse(json);
  if (!result.ok) throw new DecodeError('schema_violation', result.message, positionOf(origin));
  return result.value;
}

/**
 * The error document of one record.
 * @param reason - why it was rejected (or the reason carried by `error`)
 */
export function errorDocument(stage: string, origin: RecordOrigin, error: { readonly reason: string; readonly message: string }): ErrorDocument {
  const reason = error.reason as ErrorReason;
  return {
    stage,
    errorCode: reason,
    errorOutputType: errorOutputType(reason),
    errorMessage: error.message,
    source: { stream: origin.stream, shard: origin.shard, seq: origin.seq, ...(origin.sub === undefined ? {} : { sub: origin.sub }) },
    partitionKey: origin.partitionKey,
    arrivalTimestamp: origin.arrivalTimestamp,
    rawData: Buffer.from(origin.bytes).toString('base64'),
  };
}
