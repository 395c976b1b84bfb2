import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** Options of {@link kinesisRecordFactory}. */
export interface RecordFactoryOptions {
  readonly shardId?: string;
  readonly streamArn?: string;
  readonly partitionKey?: string;
  /** First sequence number; each record adds 1. */
  readonly firstSequence?: bigint;
  /** Arrival time, epoch seconds. */
  readonly arrival?: number;
}

/**
 * Builds Kinesis records exactly as Lambda delivers them: each payload (an object is
 * JSON-encoded, a string or Buffer taken as bytes) base64-encoded under `kinesis.data`.
 */
export function kinesisRecordFactory(payloads: readonly (unknown | string | Buffer)[], options: RecordFactoryOptions = {}): KinesisStreamRecord[] {
  const shardId = options.shardId ?? 'shardId-000000000000';
  const streamArn = options.streamArn ?? 'arn:aws:kinesis:ap-northeast-2:000000000000:stream/eddy-test-raw';
  const first = options.firstSequence ?? 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;
  return payloads.map((payload, index) => {
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
    const sequenceNumber = String(first + BigInt(index));
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: options.partitionKey ?? `part-${String((index % 1024) + 1).padStart(5, '0')}`,
        sequenceNumber,
        data: bytes.toString('base64'),
        approximateArrivalTimestamp: options.arrival ?? 1_700_000_000.123,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/eddy-test',
      awsRegion: 'ap-northeast-2',
      eventSourceARN: streamArn,
    };
  });
}

/** Wraps records into a Lambda Kinesis event. */
export const kinesisEvent = (records: KinesisStreamRecord[]): KinesisStreamEvent => ({ Records: records });

/** A valid raw transaction (from the first sample record), with overrides. */
export function rawTransaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tr_date: '2015-01-02',
    tr_time: '20',
    store_cd: '12345',
    store_name: '등촌점',
    pos_num: '1',
    receipt_num: '8325',
    product_cd: '8802609028247',
    qty: 1,
    mount: 1000,
    tr_datetime: '2015-01-02 20:45:22',
    ...overrides,
  };
}
