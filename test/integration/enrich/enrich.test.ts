import { readFileSync } from 'node:fs';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../../../shared/adapters/clients.js';
import { aggregateRecords } from '../../../shared/kpl.js';
import { PRODUCT_COLUMNS, RAW_COLUMNS } from '../../../shared/types.js';
import { kinesisRecordFactory, rawTransaction } from '../../helpers/kinesisEvents.js';
import { lambdaContext } from '../../helpers/lambdaContext.js';
import { createTestBucket, createTestStream, createTestTable, uniqueName, useTestStack } from '../../helpers/stack.js';
import { readAllRecords } from '../../helpers/streamReader.js';

useTestStack();

const samples = readFileSync(new URL('../../../data/sample_stream_records.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Record<string, unknown>);
const raw = samples.map((sample) => Object.fromEntries([...RAW_COLUMNS, 'event_time'].map((column) => [column, sample[column]])));

const names = { table: uniqueName('products'), stream: uniqueName('enriched'), bucket: uniqueName('errors') };
const kinesis = createKinesisClient();
const s3 = createS3Client();
let handler: (event: KinesisStreamEvent, context: ReturnType<typeof lambdaContext>) => Promise<KinesisStreamBatchResponse>;

const aggregated = async (payloads: readonly unknown[]): Promise<Buffer> =>
  Buffer.from(aggregateRecords(payloads.map((payload, i) => ({ partitionKey: `agg-${i}`, data: JSON.stringify(payload) })))[0]?.record.data ?? '');

async function errorDocuments(): Promise<Record<string, unknown>[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: 'data/stream_error_data/' }));
  return Promise.all(
    (listed.Contents ?? []).map(async ({ Key }) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: names.bucket, Key }));
      return { key: Key, ...(JSON.parse(await (object.Body?.transformToString() ?? '{}')) as Record<string, unknown>) };
    }),
  );
}

beforeAll(async () => {
  const documents = createDynamoDBDocumentClient();
  await createTestTable(documents, names.table, 'product_cd');
  const products = new Map(samples.map((sample) => [sample.product_cd, Object.fromEntries(['product_cd', ...PRODUCT_COLUMNS].map((c) => [c, sample[c]]))]));
  const items = [...products.values()];
  for (let i = 0; i < items.length; i += 25) {
    await documents.send(new BatchWriteCommand({ RequestItems: { [names.table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  await createTestStream(kinesis, names.stream, 2);
  await createTestBucket(s3, names.bucket);
  Object.assign(process.env, { PRODUCTS_TABLE: names.table, OUTPUT_STREAM: names.stream, ERROR_BUCKET: names.bucket, POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' });
  ({ handler } = await import('../../../functions/enrich.js'));
});

describe('Function: enrich (against the local stack)', () => {
  it('enriches the 89 sample records, routes each bad record to the error output, and counts add up', async () => {
    const kpl = await aggregated([raw[0], rawTransaction({ product_cd: 'no-such-product' })]);
    const bad = ['{"tr_date": ', rawTransaction({ qty: 'x' }), rawTransaction({ product_cd: '0000000000000' })];
    const event = { Records: kinesisRecordFactory([...raw, ...bad, kpl], { shardId: 'shardId-000000000007' }) };

    const response = await handler(event, lambdaContext('enrich'));

    expect(response.batchItemFailures).toEqual([]);
    const all = (await readAllRecords(kinesis, names.stream)).map((record) => JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>);
    const out = all.filter((record) => record.eddy_control === undefined);
    // After the outputs, one watermark per output shard: the batch's highest event time, from its input shard.
    const highest = Math.max(...samples.map((sample) => Date.parse(`${String(sample.tr_datetime).replace(' ', 'T')}Z`)));
    expect(all.filter((record) => record.eddy_control !== undefined)).toEqual([
      { eddy_control: 'watermark', source: 'shardId-000000000007', max_event_time: highest },
      { eddy_control: 'watermark', source: 'shardId-000000000007', max_event_time: highest },
    ]);
    const errors = await errorDocuments();
    const subRecordsIn = raw.length + bad.length + 2;
    expect(out.length + errors.length).toBe(subRecordsIn);
    expect(out).toHaveLength(raw.length + 1);
    expect(errors.map((doc) => doc.errorCode).sort()).toEqual(['not_json', 'schema_violation', 'unknown_product', 'unknown_product']);
    const expected = samples[0] as Record<string, unknown>;
    expect(out[0]).toMatchObject(Object.fromEntries(Object.entries(expected).filter(([key]) => key !== 'event_time')));
    expect(Object.keys(out[0] ?? {})).toHaveLength(21);
    const fromKpl = errors.find((doc) => (doc.source as { sub?: number }).sub === 1);
    expect(fromKpl).toMatchObject({ errorCode: 'unknown_product', partitionKey: 'agg-1', source: { shard: 'shardId-000000000007' } });
    expect(String(fromKpl?.key)).toMatch(/^data\/stream_error_data\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/unknown-product\/enrich-shardId-000000000007-\d+-1\.json$/);
  });

  it('routes one bad record of every reason to the error output, once each, and keeps going', async () => {
    const corruptKpl = await aggregated([raw[1], raw[2]]);
    corruptKpl.writeUInt8((corruptKpl.at(-1) ?? 0) ^ 0xff, corruptKpl.length - 1);
    const bad = {
      not_utf8: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
      not_json: 'tr_date=2015-01-02',
      schema_violation: rawTransaction({ tr_time: '25', qty: 1.5 }),
      unknown_product: rawTransaction({ product_cd: '1111111111111' }),
      oversize: JSON.stringify(rawTransaction({ store_name: 'x'.repeat(70_000) })),
      bad_aggregate: corruptKpl,
    };
    const good = [raw[3], raw[4]];
    const records = kinesisRecordFactory([good[0], ...Object.values(bad), good[1]], { shardId: 'shardId-000000000011', firstSequence: 77_000n });
    const before = new Set((await errorDocuments()).map((doc) => doc.key));

    const response = await handler({ Records: records }, lambdaContext('enrich'));

    expect(response.batchItemFailures).toEqual([]);
    const added = (await errorDocuments()).filter((doc) => !before.has(doc.key));
    expect(added.map((doc) => doc.errorCode).sort()).toEqual(Object.keys(bad).sort());
    for (const doc of added) {
      const index = records.findIndex((record) => record.kinesis.sequenceNumber === (doc.source as { seq: string }).seq);
      expect(doc.rawData, String(doc.errorCode)).toBe(records[index]?.kinesis.data);
      expect(String(doc.errorMessage).length, String(doc.errorCode)).toBeGreaterThan(10);
      expect(doc.stage).toBe('enrich');
    }
    expect(added.find((doc) => doc.errorCode === 'schema_violation')?.errorMessage).toMatch(/tr_time must be an hour.*qty must be an integer/);
  });

  it('writes no new error object when the same batch is delivered again', async () => {
    const event = { Records: kinesisRecordFactory(['not json', rawTransaction({ product_cd: 'gone' })], { shardId: 'shardId-000000000009', firstSequence: 1000n }) };
    await handler(event, lambdaContext('enrich'));
    const before = (await errorDocuments()).length;
    await handler(event, lambdaContext('enrich'));
    expect((await errorDocuments()).length).toBe(before);
  });
});
