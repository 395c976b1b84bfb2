import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { sleep } from '../../shared/retry.js';

/**
 * Points this test file's process at the suite's local stack and returns its environment.
 * Call at the top of an integration test file.
 */
export function useTestStack(): Record<string, string> {
  const env = inject('stackEnv');
  Object.assign(process.env, env);
  return env;
}

/** A name unique to this run, so test files never share a stream, table or bucket. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Creates a stream and waits until it is ACTIVE; returns its ARN. */
export async function createTestStream(kinesis: KinesisClient, name: string, shards = 1): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary?.StreamStatus === 'ACTIVE') return summary.StreamARN ?? '';
    await sleep(20);
  }
}

/** Creates a table keyed by one string attribute, or by a string hash and a string sort key. */
export async function createTestTable(dynamodb: DynamoDBClient, name: string, key: string, sortKey?: string): Promise<void> {
  const keys = sortKey === undefined ? [key] : [key, sortKey];
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keys.map((AttributeName, i) => ({ AttributeName, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    }),
  );
}

/** Creates a bucket. */
export async function createTestBucket(s3: S3Client, name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
}
