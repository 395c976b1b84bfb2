import { createHash } from 'node:crypto';
import * as kplLibrary from 'aws-kinesis-agg';
import { assertPutRecordFits } from './batching/putRecordsChunks.js';
import { KINESIS_LIMITS } from './constants.js';
import { DecodeError, PoisonRecordError } from './errors.js';
import type { OutputRecord } from './ports/RecordSink.js';

/**
 * KPL record aggregation: the Kinesis Producer Library's protobuf format (magic `f3899ac2`,
 * `AggregatedRecord` body, MD5 trailer) that the KPL, the KCL and `aws-kinesis-agg` read.
 * De-aggregation uses `aws-kinesis-agg`'s decoder. Aggregation is encoded here rather than with
 * its `RecordAggregator`, which builds the partition-key table with `Object.keys` of a plain
 * object: integer-like keys (`12345`, a `store_cd`) come out in numeric order, not insertion
 * order, so sub-records get the wrong partition keys. Pure: no AWS SDK, no I/O.
 * @see https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md
 */

/** The part of `aws-kinesis-agg` eddy uses, typed. */
interface KplLibrary {
  deaggregateSync(
    record: { data: string; partitionKey: string; explicitPartitionKey?: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (error: Error | null | undefined, records?: { data: string; partitionKey: string; explicitPartitionKey?: string; sequenceNumber: string; subSequenceNumber?: number }[]) => void,
  ): void;
}

const kpl = kplLibrary as unknown as KplLibrary;

/** The KPL's magic number, the first four bytes of an aggregated record. */
const MAGIC = Buffer.from('f3899ac2', 'hex');

/** Bytes the format adds around the protobuf body: the magic number and the MD5 checksum. */
const FRAME_BYTES = MAGIC.length + 16;

/** The largest protobuf body that still fits one Kinesis record with a 256-character partition key. */
const HARD_MAX_BODY_BYTES = KINESIS_LIMITS.recordMaxBytes - FRAME_BYTES - KINESIS_LIMITS.partitionKeyMaxLength * 4;

/** The KPL's default `AggregationMaxSize`: small aggregates spread better over shards. */
export const KPL_DEFAULT_AGGREGATE_BYTES = 51_200;

/** One aggregated Kinesis record and the inputs it carries. */
export interface AggregatedRecord {
  /** The record to put: KPL-framed data, routed by its first sub-record's partition key. */
  readonly record: OutputRecord;
  /** Indexes, into the input, of its sub-records, in order (sub-sequence number = position). */
  readonly indexes: readonly number[];
}

/** Options of {@link aggregateRecords}. */
export interface AggregateOptions {
  /** Target protobuf bytes per aggregated record (a larger single record is sent alone). @default 51,200 */
  readonly maxBytes?: number;
}

const asBuffer = (data: string | Uint8Array): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

const varintSize = (value: number): number => {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 128)) size++;
  return size;
};

const writeVarint = (buffer: Buffer, offset: number, value: number): number => {
  let at = offset;
  let rest = value;
  while (rest >= 0x80) {
    buffer[at++] = (rest % 128) | 0x80;
    rest = Math.floor(rest / 128);
  }
  buffer[at++] = rest;
  return at;
};

/** Bytes of a length-delimited field (tag, length, payload). */
const fieldSize = (length: number): number => 1 + varintSize(length) + length;

/** One `AggregatedRecord` being filled: insertion-ordered key tables and sub-records. */
class Aggregate {
  readonly keys = new Map<string, number>();
  readonly hashKeys = new Map<string, number>();
  readonly records: { key: number; hashKey?: number; data: Buffer; size: number }[] = [];
  bytes = 0;

  /** Bytes the body grows by when `record` is added. */
  sizeOf(key: string, hashKey: string | undefined, data: Buffer): { total: number; inner: number } {
    const keyIndex = this.keys.get(key);
    const hashIndex = hashKey === undefined ? undefined : this.hashKeys.get(hashKey);
    let total = keyIndex === undefined ? fieldSize(Buffer.byteLength(key)) : 0;
    if (hashKey !== undefined && hashIndex === undefined) total += fieldSize(Buffer.byteLength(hashKey));
    const inner = 1 + varintSize(keyIndex ?? this.keys.size) + (hashKey === undefined ? 0 : 1 + varintSize(hashIndex ?? this.hashKeys.size)) + fieldSize(data.byteLength);
    return { total: total + fieldSize(inner), inner };
  }

  add(key: string, hashKey: string | undefined, data: Buffer): void {
    const { total, inner } = this.sizeOf(key, hashKey, data);
    if (!this.keys.has(key)) this.keys.set(key, this.keys.size);
    if (hashKey !== undefined && !this.hashKeys.has(hashKey)) this.hashKeys.set(hashKey, this.hashKeys.size);
    this.records.push({ key: this.keys.get(key) as number, ...(hashKey !== undefined ? { hashKey: this.hashKeys.get(hashKey) as number } : {}), data, size: inner });
    this.bytes += total;
  }

  /** Magic number, protobuf body, MD5 of the body. */
  encode(): Buffer {
    const body = Buffer.allocUnsafe(this.bytes);
    let at = 0;
    const text = (tag: number, value: string): void => {
      body[at++] = tag;
      at = writeVarint(body, at, Buffer.byteLength(value));
      at += body.write(value, at, 'utf8');
    };
    for (const key of this.keys.keys()) text(0x0a, key);
    for (const hashKey of this.hashKeys.keys()) text(0x12, hashKey);
    for (const record of this.records) {
      body[at++] = 0x1a;
      at = writeVarint(body, at, record.size);
      body[at++] = 0x08;
      at = writeVarint(body, at, record.key);
      if (record.hashKey !== undefined) {
        body[at++] = 0x10;
        at = writeVarint(body, at, record.hashKey);
      }
      body[at++] = 0x1a;
      at = writeVarint(body, at, record.data.byteLength);
      at += record.data.copy(body, at);
    }
    return Buffer.concat([MAGIC, body, createHash('md5').update(body).digest()]);
  }
}

/**
 * Packs consecutive records into KPL-aggregated records of about `maxBytes`, keeping order.
 * Each sub-record keeps its own partition key (consumers see it after de-aggregation); the
 * aggregate is routed by the first one's, as the KPL does. A record that cannot fit one
 * Kinesis record even alone throws a {@link PoisonRecordError} naming its index.
 * @param records - user records
 * @param options - target size
 */
export function aggregateRecords(records: readonly OutputRecord[], options: AggregateOptions = {}): AggregatedRecord[] {
  const target = Math.min(options.maxBytes ?? KPL_DEFAULT_AGGREGATE_BYTES, HARD_MAX_BODY_BYTES);
  const out: AggregatedRecord[] = [];
  let aggregate = new Aggregate();
  let indexes: number[] = [];
  let first: OutputRecord | undefined;
  const flush = (): void => {
    if (first && indexes.length > 0) {
      out.push({ record: { data: aggregate.encode(), partitionKey: first.partitionKey, ...(first.explicitHashKey !== undefined ? { explicitHashKey: first.explicitHashKey } : {}) }, indexes });
    }
    aggregate = new Aggregate();
    indexes = [];
    first = undefined;
  };
  records.forEach((input, index) => {
    assertPutRecordFits(input, index);
    const data = asBuffer(input.data);
    if (new Aggregate().sizeOf(input.partitionKey, input.explicitHashKey, data).total > HARD_MAX_BODY_BYTES) {
      throw new PoisonRecordError('oversize', `record ${index} is too large to fit one Kinesis record once aggregated`, { index });
    }
    const full = aggregate.bytes + aggregate.sizeOf(input.partitionKey, input.explicitHashKey, data).total > target;
    // A decoder reads a missing hash-key index as 0, so records with and without one never share an aggregate.
    const mixed = first !== undefined && (first.explicitHashKey === undefined) !== (input.explicitHashKey === undefined);
    if (indexes.length > 0 && (full || mixed)) flush();
    first ??= input;
    aggregate.add(input.partitionKey, input.explicitHashKey, data);
    indexes.push(index);
  });
  flush();
  return out;
}

/** A record as read from a stream (GetRecords, or a Lambda event's `kinesis` field). */
export interface StreamRecordInput {
  /** The data: base64 text (as in a Lambda event) or bytes (as from GetRecords). */
  readonly data: string | Uint8Array;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly explicitHashKey?: string;
}

/** One user record out of {@link deaggregate}. */
export interface SubRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  /** The enclosing Kinesis record's sequence number. */
  readonly sequenceNumber: string;
  /** Position inside the aggregate; absent for a record that was not aggregated. */
  readonly subSequenceNumber?: number;
}

/** A record as GetRecords returns it (the SDK's `_Record`, structurally: no SDK import here). */
export interface GetRecordsRecord {
  readonly Data?: Uint8Array;
  readonly PartitionKey?: string;
  readonly SequenceNumber?: string;
}

/** The user records of a record read with GetRecords: its sub-records, or itself when it is not aggregated (see {@link deaggregate}). */
export const userRecordsOf = (record: GetRecordsRecord): SubRecord[] =>
  deaggregate({ data: record.Data ?? new Uint8Array(), partitionKey: record.PartitionKey ?? '', sequenceNumber: record.SequenceNumber ?? '' });

/** True when bytes start with the KPL magic number and are long enough to hold a frame. */
export const isAggregated = (data: Uint8Array): boolean => data.byteLength > FRAME_BYTES && MAGIC.equals(Buffer.from(data.buffer, data.byteOffset, MAGIC.length));

/**
 * Splits a KPL-aggregated record into its user records (checksum verified), in order, each
 * with its partition key and `subSequenceNumber`. A record that is not aggregated comes back
 * as itself, one sub-record without `subSequenceNumber`, so consumers can call this on every
 * record. A corrupt aggregate throws a {@link DecodeError} carrying the sequence number.
 * @param record - the stream record
 */
export function deaggregate(record: StreamRecordInput): SubRecord[] {
  const bytes = typeof record.data === 'string' ? Buffer.from(record.data, 'base64') : asBuffer(record.data);
  const plain = (): SubRecord[] => [{ data: bytes, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber, ...(record.explicitHashKey ? { explicitHashKey: record.explicitHashKey } : {}) }];
  if (!isAggregated(bytes)) return plain();
  let result: SubRecord[] | undefined;
  let failure: Error | undefined;
  kpl.deaggregateSync(
    { data: bytes.toString('base64'), partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber, ...(record.explicitHashKey ? { explicitPartitionKey: record.explicitHashKey } : {}) },
    true,
    (error, users) => {
      if (error) failure = error;
      else
        result = (users ?? []).map((user, position) => ({
          data: Buffer.from(user.data, 'base64'),
          partitionKey: user.partitionKey,
          sequenceNumber: record.sequenceNumber,
          subSequenceNumber: user.subSequenceNumber ?? position,
          ...(user.explicitPartitionKey ? { explicitHashKey: user.explicitPartitionKey } : {}),
        }));
    },
  );
  if (failure || !result) {
    throw new DecodeError('kpl', `record ${record.sequenceNumber} has the KPL magic number but does not de-aggregate: ${failure?.message ?? 'no result'}`, { sequenceNumber: record.sequenceNumber }, { cause: failure });
  }
  return result;
}
