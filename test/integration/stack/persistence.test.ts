import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { assertJava, freePort } from '../../../local/stack/emulators.js';
import { stackClients } from '../../../local/stack/manage.js';
import { startStack, type RunningStack } from '../../../local/stack/stack.js';
import { sleep } from '../../../shared/retry.js';
import { readAllRecords } from '../../helpers/streamReader.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function start(dataDir: string): Promise<{ stack: RunningStack; clients: { kinesis: KinesisClient; dynamodb: DynamoDBClient; s3: S3Client } }> {
  const stack = await startStack({ persist: true, dataDir, region: 'ap-northeast-2', ports: { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() } });
  return { stack, clients: stackClients(stack.endpoints, 'ap-northeast-2') };
}

describe('Local stack: persistence', () => {
  it('keeps streams, records, tables, items and objects on disk across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'eddy-persist-'));
    dirs.push(dataDir);
    const first = await start(dataDir);
    await first.clients.kinesis.send(new CreateStreamCommand({ StreamName: 'kept', ShardCount: 1 }));
    await sleep(100);
    await first.clients.kinesis.send(new PutRecordCommand({ StreamName: 'kept', PartitionKey: 'p', Data: Buffer.from('hello') }));
    await first.clients.dynamodb.send(new CreateTableCommand({ TableName: 'kept', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
    await first.clients.dynamodb.send(new PutItemCommand({ TableName: 'kept', Item: { id: { S: 'a' }, n: { N: '1' } } }));
    await first.clients.s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
    await first.clients.s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'x/y.json', Body: '{"ok":true}' }));
    await first.stack.stop();

    const second = await start(dataDir);
    try {
      const records = await readAllRecords(second.clients.kinesis, 'kept');
      expect(records.map((record) => Buffer.from(record.Data ?? new Uint8Array()).toString())).toEqual(['hello']);
      const item = await second.clients.dynamodb.send(new GetItemCommand({ TableName: 'kept', Key: { id: { S: 'a' } } }));
      expect(item.Item?.n?.N).toBe('1');
      const object = await second.clients.s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'x/y.json' }));
      expect(await object.Body?.transformToString()).toBe('{"ok":true}');
    } finally {
      await second.stack.stop();
    }
  });

  it('names Java when it is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => assertJava()).toThrow(/DynamoDB Local needs a Java 17\+ runtime/);
    } finally {
      process.env.PATH = path;
    }
  });
});
