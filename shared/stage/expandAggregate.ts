import agg from 'aws-kinesis-agg';

/** One user record out of a Kinesis record. */
export interface SubRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** Index inside a KPL-aggregated record; undefined for a plain record. */
  readonly index?: number;
}

/** The KPL aggregated-record magic bytes. @see https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md */
const KPL_MAGIC = [0xf3, 0x89, 0x9a, 0xc2] as const;

/** True when the bytes start with the KPL magic number. */
export const isAggregated = (bytes: Uint8Array): boolean => KPL_MAGIC.every((byte, i) => bytes[i] === byte);

/**
 * Expands a Kinesis record into its user records: a KPL-aggregated record (magic number,
 * protobuf, MD5 checksum verified) into its sub-records with their own partition keys, any
 * other record into itself. Lambda hands consumers aggregated records as they are.
 * @returns the sub-records, or why the aggregate is corrupt
 */
export function expandAggregate(bytes: Uint8Array, partitionKey: string): { ok: true; records: readonly SubRecord[] } | { ok: false; message: string } {
  if (!isAggregated(bytes)) return { ok: true, records: [{ data: bytes, partitionKey }] };
  let result: { ok: true; records: readonly SubRecord[] } | { ok: false; message: string } = { ok: false, message: 'KPL record was not decoded' };
  agg.deaggregateSync({ data: Buffer.from(bytes).toString('base64'), partitionKey, sequenceNumber: '0', approximateArrivalTimestamp: 0, kinesisSchemaVersion: '1.0' }, true, (error, records) => {
    result = error
      ? { ok: false, message: `corrupt KPL aggregated record: ${error.message}` }
      : { ok: true, records: (records ?? []).map((record) => ({ data: Buffer.from(record.data, 'base64'), partitionKey: record.partitionKey, index: record.subSequenceNumber })) };
  });
  return result;
}
