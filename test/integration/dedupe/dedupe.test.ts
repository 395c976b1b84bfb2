import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../../../shared/adapters/clients.js';
import { DynamoDBSeenKeyStore } from '../../../shared/adapters/DynamoDBSeenKeyStore.js';
import { kinesisRecordFactory } from '../../helpers/kinesisEvents.js';
import { lambdaContext } from '../../helpers/lambdaContext.js';
import { createTestBucket, createTestStream, uniqueName, useTestStack } from '../../helpers/stack.js';
import { readAllRecords } from '../../helpers/streamReader.js';

useTestStack();
const names = { table: uniqueName('seen'), stream: uniqueName('clean'), bucket: uniqueName('errors') };
const kinesis = createKinesisClient();
let handler: (event: KinesisStreamEvent, context: ReturnType<typeof lambdaContext>) => Promise<KinesisStreamBatchResponse>;

const enriched = (pk: string, extra: Record<string, unknown> = {}) => ({
  tr_date: '2015-01-02', tr_time: '20', store_cd: '12345', store_name: '등촌점', pos_num: '1', receipt_num: '1', product_cd: '8802609028247', qty: 1, mount: 1000,
  division_cd: '42', division_name: '생활잡화', maincategory_cd: '62', maincategory_name: '전기연료', subcategory_cd: '187', subcategory_name: '라이타', product_name: 'IC)터보라이터', is_pb: 'N',
  tr_datetime: '2015-01-02T20:45:22', event_time: '2026-11-21T00:00:00.000000', pk, src: { stream: 'raw', shard: 'shardId-000000000000', seq: '1' }, ...extra,
});

const cleanPks = async (): Promise<string[]> =>
  (await readAllRecords(kinesis, names.stream)).map((record) => (JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString()) as { pk: string }).pk);

beforeAll(async () => {
  await createDynamoDBDocumentClient().send(
    new CreateTableCommand({ TableName: names.table, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }),
  );
  await createTestStream(kinesis, names.stream, 1);
  await createTestBucket(createS3Client(), names.bucket);
  Object.assign(process.env, { SEEN_TABLE: names.table, OUTPUT_STREAM: names.stream, ERROR_BUCKET: names.bucket, POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' });
  ({ handler } = await import('../../../functions/dedupe.js'));
});

describe('Function: dedupe (against the local stack)', () => {
  it('forwards each primary key once across batches and shards, drops resends, and rejects a malformed record', async () => {
    const first = kinesisRecordFactory([enriched('a'), enriched('b'), enriched('a'), '{"pk": 1}'], { shardId: 'shardId-000000000000', firstSequence: 100n, arrival: Date.now() / 1000 });
    const second = kinesisRecordFactory([enriched('b'), enriched('c')], { shardId: 'shardId-000000000001', firstSequence: 200n, arrival: Date.now() / 1000 });
    expect((await handler({ Records: first }, lambdaContext('dedupe'))).batchItemFailures).toEqual([]);
    expect((await handler({ Records: second }, lambdaContext('dedupe'))).batchItemFailures).toEqual([]);
    expect((await cleanPks()).sort()).toEqual(['a', 'b', 'c']);
    const errors = await createS3Client().send(new ListObjectsV2Command({ Bucket: names.bucket }));
    expect(errors.Contents?.map((object) => object.Key)).toEqual([expect.stringMatching(/\/schema-violation\/dedupe-shardId-000000000000-103\.json$/)]);
  });

  it('puts a redelivered batch on the clean stream once: the earlier attempt’s records are found there and not put again', async () => {
    const batch = kinesisRecordFactory([enriched('redelivered'), enriched('redelivered-too')], { shardId: 'shardId-000000000002', firstSequence: 300n, arrival: Date.now() / 1000 });
    await handler({ Records: batch }, lambdaContext('dedupe'));
    expect((await handler({ Records: batch }, lambdaContext('dedupe'))).batchItemFailures).toEqual([]);
    const copies = (await cleanPks()).filter((pk) => pk.startsWith('redelivered'));
    expect(copies.sort()).toEqual(['redelivered', 'redelivered-too']);
  });

  it('forwards on redelivery a record it claimed whose earlier put never landed', async () => {
    const now = Date.now();
    const store = new DynamoDBSeenKeyStore(createDynamoDBDocumentClient(), names.table);
    // The earlier attempt claimed the key, then failed before its PutRecords.
    await store.claim([{ key: 'lost', owner: 'shardId-000000000004:400:', claimedAt: now - 1_000, expiresAt: Math.floor(now / 1000) + 3600 }], Math.floor(now / 1000));
    const batch = kinesisRecordFactory([enriched('lost')], { shardId: 'shardId-000000000004', firstSequence: 400n, arrival: now / 1000 });
    await handler({ Records: batch }, lambdaContext('dedupe'));
    expect((await cleanPks()).filter((pk) => pk === 'lost')).toEqual(['lost']);
  });
});
