import type { _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** Where a batch comes from, as Lambda names it in every record. */
export interface EventSource {
  readonly shardId: string;
  readonly streamArn: string;
  readonly region: string;
  /** The function's execution role; locally a stand-in ARN. */
  readonly invokeIdentityArn: string;
}

/** Seconds since the epoch with millisecond precision, as Lambda writes `approximateArrivalTimestamp`. */
export const arrivalSeconds = (record: _Record): number => (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000;

/**
 * One record of the Kinesis event exactly as Lambda delivers it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
export function kinesisEventRecord(record: _Record, source: EventSource): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: arrivalSeconds(record),
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${source.shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
}

/** The event of one invocation. */
export const kinesisEvent = (records: readonly _Record[], source: EventSource): KinesisStreamEvent => ({
  Records: records.map((record) => kinesisEventRecord(record, source)),
});

/** Bytes a record adds to the event JSON: base64 data, key, sequence number and the fixed fields. */
export const eventRecordBytes = (record: _Record, source: EventSource): number =>
  Math.ceil(((record.Data?.byteLength ?? 0) * 4) / 3) + 4 + (record.PartitionKey?.length ?? 0) * 3 + 2 * (record.SequenceNumber?.length ?? 0) + source.streamArn.length + source.invokeIdentityArn.length + source.shardId.length + 320;
