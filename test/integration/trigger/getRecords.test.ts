import { GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../../shared/adapters/clients.js';
import { getShardRecords } from '../../../local/trigger/getRecords.js';
import { createTestStream, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();

describe('getShardRecords (the trigger reads GetRecords as JSON, data left base64)', () => {
  it('returns what the SDK returns, with the data base64 and the arrival time in epoch seconds', async () => {
    const kinesis = createKinesisClient();
    const stream = uniqueName('raw-get');
    await createTestStream(kinesis, stream);
    // JSON, multi-byte UTF-8, a lone zero byte (Kinesis refuses empty data) and a larger record.
    const payloads = [Buffer.from('{"a":1}'), Buffer.from('é ünïcode ✓'), Buffer.from([0]), Buffer.from('x'.repeat(3000))];
    await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: payloads.map((Data, i) => ({ Data, PartitionKey: `k${i}` })) }));
    const iterator = async (): Promise<string> =>
      (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator as string;

    const sdk = await kinesis.send(new GetRecordsCommand({ ShardIterator: await iterator() }));
    const raw = await getShardRecords(kinesis, { ShardIterator: await iterator(), Limit: 10 });

    expect(raw.Records.map((record) => Buffer.from(record.Data, 'base64'))).toEqual(payloads);
    expect(raw.Records).toEqual(
      (sdk.Records ?? []).map((record) => ({
        SequenceNumber: record.SequenceNumber,
        PartitionKey: record.PartitionKey,
        ApproximateArrivalTimestamp: (record.ApproximateArrivalTimestamp as Date).getTime() / 1000,
        Data: Buffer.from(record.Data as Uint8Array).toString('base64'),
      })),
    );
    expect(raw.NextShardIterator).toEqual(expect.any(String));
    expect(raw.MillisBehindLatest).toBe(0);
    expect(raw.$metadata.httpStatusCode).toBe(200);
    kinesis.destroy();
  });

  it('throws the service error by its name, as the SDK does', async () => {
    const kinesis = createKinesisClient({ maxAttempts: 1 });
    const sdk = await kinesis.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator' })).catch((error: Error) => error);
    const raw = await getShardRecords(kinesis, { ShardIterator: 'not-an-iterator' }).catch((error: Error) => error);
    expect(raw).toBeInstanceOf(Error);
    expect((raw as Error).name).toBe((sdk as Error).name);
    expect((raw as Error).message).toBe((sdk as Error).message);
    expect((raw as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
    kinesis.destroy();
  });
});
