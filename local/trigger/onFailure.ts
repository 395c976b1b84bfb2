import { createHash, randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ShardRecord } from './getRecords.js';
import type { OnFailureDestination } from '../serverlessModel.js';
import { arrivalSeconds } from './eventShape.js';
import type { SerializedError } from './protocol.js';

/**
 * The record Lambda sends to a Kinesis event source mapping's on-failure destination when it
 * gives up on a batch, and its S3 object key.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */

/** Why a batch was discarded. */
export type FailureCondition = 'RetryAttemptsExhausted' | 'MaximumRecordAgeExceeded' | 'EventSizeExceeded';

/** The invocation record written to the destination. */
export interface FailureRecord {
  readonly requestContext: { readonly requestId: string; readonly functionArn: string; readonly condition: FailureCondition; readonly approximateInvokeCount: number };
  readonly responseContext: { readonly statusCode: number; readonly executedVersion: string; readonly functionError: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
  /** S3 destinations only: the original invocation payload (the event, as JSON text). */
  readonly payload?: string;
}

/** A stable id for the event source mapping of a function on a stream (the key prefix in S3). */
export function mappingUuid(functionArn: string, streamArn: string): string {
  const hex = createHash('sha1').update(`${functionArn}|${streamArn}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What {@link failureRecord} needs to know about the failed batch. */
export interface FailedBatch {
  readonly records: readonly ShardRecord[];
  readonly shardId: string;
  readonly streamArn: string;
  readonly functionArn: string;
  readonly condition: FailureCondition;
  readonly invokeCount: number;
  /** The last invocation's error, if the function failed (none when records expired unread). */
  readonly error?: SerializedError;
  /** The event of the last invocation, for an S3 destination. */
  readonly payload?: unknown;
  readonly now?: Date;
}

/** Builds the invocation record of a discarded batch. */
export function failureRecord(batch: FailedBatch): FailureRecord {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  const iso = (record: ShardRecord | undefined): string => new Date(record ? arrivalSeconds(record) * 1000 : 0).toISOString();
  return {
    requestContext: { requestId: randomUUID(), functionArn: batch.functionArn, condition: batch.condition, approximateInvokeCount: batch.invokeCount },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: batch.error ? 'Unhandled' : '' },
    version: '1.0',
    timestamp: (batch.now ?? new Date()).toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first?.SequenceNumber ?? '',
      endSequenceNumber: last?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: iso(first),
      approximateArrivalOfLastRecord: iso(last),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
    ...(batch.payload !== undefined ? { payload: JSON.stringify(batch.payload) } : {}),
  };
}

/** `aws/lambda/<esm-uuid>/<shardId>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>`, as Lambda names the object. */
export function failureObjectKey(uuid: string, shardId: string, now: Date): string {
  const iso = now.toISOString();
  const [date = '', time = ''] = iso.split('T');
  return `aws/lambda/${uuid}/${shardId}/${date.replaceAll('-', '/')}/${date}T${time.slice(0, 8).replaceAll(':', '.')}-${randomUUID()}`;
}

/**
 * Sends a failure record to the destination. Only S3 destinations exist locally (the stack has
 * no SQS or SNS); for those the record is returned but not sent.
 * @returns the object key, for S3
 */
export async function sendFailureRecord(s3: S3Client, destination: OnFailureDestination, uuid: string, record: FailureRecord): Promise<string | undefined> {
  if (destination.type !== 's3' || !destination.bucket) return undefined;
  const key = failureObjectKey(uuid, record.KinesisBatchInfo.shardId, new Date(record.timestamp));
  await s3.send(new PutObjectCommand({ Bucket: destination.bucket, Key: key, Body: JSON.stringify(record), ContentType: 'application/json' }));
  return key;
}
