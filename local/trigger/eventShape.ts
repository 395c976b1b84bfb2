import type { ShardRecord } from './getRecords.js';
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
export const arrivalSeconds = (record: ShardRecord): number => record.ApproximateArrivalTimestamp;

/**
 * One record of the Kinesis event exactly as Lambda delivers it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
export function kinesisEventRecord(record: ShardRecord, source: EventSource): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey,
      sequenceNumber,
      data: record.Data,
      approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
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
export const kinesisEvent = (records: readonly ShardRecord[], source: EventSource): KinesisStreamEvent => ({
  Records: records.map((record) => kinesisEventRecord(record, source)),
});

/** Bytes a record adds to the event JSON: base64 data, key, sequence number and the fixed fields. */
export const eventRecordBytes = (record: ShardRecord, source: EventSource): number =>
  record.Data.length + 4 + record.PartitionKey.length * 3 + 2 * record.SequenceNumber.length + source.streamArn.length + source.invokeIdentityArn.length + source.shardId.length + 320;
