import { DescribeStreamSummaryCommand, ListShardsCommand, PutRecordsCommand, SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../../shared/adapters/clients.js';
import { KinesisPublishedKeys } from '../../../shared/adapters/KinesisPublishedKeys.js';
import { aggregateRecords } from '../../../shared/kpl.js';
import { sleep } from '../../../shared/retry.js';
import { createTestStream, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const kinesis = createKinesisClient();
const keyOf = (value: unknown): string | undefined => (typeof value === 'object' && value !== null && typeof (value as { pk?: unknown }).pk === 'string' ? (value as { pk: string }).pk : undefined);
const noSleep = async (): Promise<void> => {};
/** The lowest and the highest hash key: the first and the last shard of a stream. */
const HASH = { first: '0', last: (2n ** 128n - 1n).toString() } as const;

/** Puts each item (an object as JSON, a string as is) with a random partition key, or at `hashKey`. */
async function put(stream: string, items: readonly unknown[], hashKey?: string): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: items.map((item, i) => ({
        Data: Buffer.from(typeof item === 'string' ? item : JSON.stringify(item)),
        PartitionKey: `p-${i}-${Math.random()}`,
        ...(hashKey ? { ExplicitHashKey: hashKey } : {}),
      })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
}

/** A client whose `send` runs `inject` first for each command, by name: it may throw to fake what the emulator cannot do. */
function injecting(inject: (command: string, call: number) => void): KinesisClient {
  const client = createKinesisClient();
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const calls = new Map<string, number>();
  Object.assign(client, {
    send: async (command: { constructor: { name: string } }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      const call = (calls.get(name) ?? 0) + 1;
      calls.set(name, call);
      inject(name, call);
      return send(command);
    },
  });
  return client;
}

const fail = (name: string): Error => Object.assign(new Error(`${name} (injected)`), { name });

describe('Adapter: KinesisPublishedKeys (kinesalite)', () => {
  it('finds the wanted keys that arrived at or after the time, on every shard, and not one that arrived before it', async () => {
    const stream = uniqueName('published');
    await createTestStream(kinesis, stream, 2);
    await put(stream, [{ pk: 'old' }], HASH.first);
    await sleep(50);
    const since = Date.now();
    await sleep(5);
    await put(stream, [{ pk: 'a' }, 'not json', { pk: 7 }, { pk: 'unwanted' }], HASH.first);
    await put(stream, [{ pk: 'b' }], HASH.last);
    const published = new KinesisPublishedKeys(kinesis, { marginMs: 0 });
    const found = await published.find({ stream, since, wanted: new Set(['old', 'a', 'b', 'never']), keyOf });
    expect([...found].sort()).toEqual(['a', 'b']);
    expect(published.requests.listShards).toBe(1);
  });

  it('reads the user records of KPL-aggregated records, and passes over a corrupt aggregate', async () => {
    const stream = uniqueName('published');
    await createTestStream(kinesis, stream, 1);
    const since = Date.now();
    const users = Array.from({ length: 40 }, (_, i) => ({ data: JSON.stringify({ pk: `kpl-${i}` }), partitionKey: `p-${i}` }));
    const aggregates = aggregateRecords(users, { maxBytes: 400 });
    expect(aggregates.length).toBeGreaterThan(1);
    const corrupt = Buffer.from(aggregates[0]?.record.data as Uint8Array);
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] as number) ^ 0xff;
    await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [...aggregates.map(({ record }) => ({ Data: record.data as Uint8Array, PartitionKey: record.partitionKey })), { Data: corrupt, PartitionKey: 'x' }] }));
    await put(stream, [{ pk: 'plain' }]);
    const wanted = new Set(['kpl-0', 'kpl-21', 'kpl-39', 'plain', 'never']);
    const found = await new KinesisPublishedKeys(kinesis, { marginMs: 0 }).find({ stream, since, wanted, keyOf });
    expect([...found].sort()).toEqual(['kpl-0', 'kpl-21', 'kpl-39', 'plain']);
  });

  it('starts a margin before the time, for clock skew, and does not hang on a shard with nothing after it', async () => {
    const stream = uniqueName('published');
    await createTestStream(kinesis, stream, 2);
    await put(stream, [{ pk: 'skewed' }], HASH.first);
    await sleep(50);
    const found = await new KinesisPublishedKeys(kinesis).find({ stream, since: Date.now(), wanted: new Set(['skewed']), keyOf });
    expect([...found]).toEqual(['skewed']);
  });

  it('finds records put before and after a shard split, in the closed parent and in its children', async () => {
    const stream = uniqueName('published');
    await createTestStream(kinesis, stream, 1);
    const since = Date.now();
    const before = Array.from({ length: 30 }, (_, i) => ({ pk: `before-${i}` }));
    const after = Array.from({ length: 30 }, (_, i) => ({ pk: `after-${i}` }));
    await put(stream, before);
    const [parent] = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    await kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: parent?.ShardId, NewStartingHashKey: (2n ** 127n).toString() }));
    while ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') await sleep(20);
    await put(stream, after);
    const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    expect(shards).toHaveLength(3);
    const wanted = new Set([...before, ...after].map(({ pk }) => pk));
    const published = new KinesisPublishedKeys(kinesis, { marginMs: 0 });
    const found = await published.find({ stream, since, wanted: new Set([...wanted, 'never']), keyOf });
    expect(found).toEqual(wanted);
    expect(published.requests.getShardIterator).toBe(3);
  });

  it('stops reading once every wanted key is found', async () => {
    const stream = uniqueName('published');
    await createTestStream(kinesis, stream, 1);
    const since = Date.now();
    await put(stream, ['a', 'b', 'c', 'd', 'e'].map((pk) => ({ pk })));
    const published = new KinesisPublishedKeys(kinesis, { limit: 1, concurrency: 1 });
    expect([...(await published.find({ stream, since, wanted: new Set(['b']), keyOf }))]).toEqual(['b']);
    expect(published.requests.getRecords).toBe(2);
  });

  it('reads nothing when no key is wanted', async () => {
    const published = new KinesisPublishedKeys(kinesis);
    expect((await published.find({ stream: 'no-such-stream', since: Date.now(), wanted: new Set(), keyOf })).size).toBe(0);
    expect(published.requests).toEqual({ listShards: 0, getShardIterator: 0, getRecords: 0 });
  });

  it('retries throttled reads with backoff and renews an expired iterator after the last record read', async () => {
    const stream = uniqueName('published');
    await createTestStream(kinesis, stream, 1);
    const since = Date.now();
    await put(stream, ['a', 'b', 'c'].map((pk) => ({ pk })));
    const client = injecting((command, call) => {
      if (command === 'ListShards' && call === 1) throw fail('LimitExceededException');
      if (command === 'GetRecords' && (call === 1 || call === 2)) throw fail('ProvisionedThroughputExceededException');
      if (command === 'GetRecords' && call === 4) throw fail('ExpiredIteratorException');
    });
    const delays: number[] = [];
    const published = new KinesisPublishedKeys(client, { limit: 1, sleep: async (ms) => void delays.push(ms), random: () => 0.5 });
    const found = await published.find({ stream, since, wanted: new Set(['a', 'b', 'c']), keyOf });
    expect([...found].sort()).toEqual(['a', 'b', 'c']);
    // GetRecords: 2 throttled, a, expired, b, c; a second iterator after a's sequence number.
    expect(published.requests).toEqual({ listShards: 2, getShardIterator: 2, getRecords: 6 });
    expect(delays).toEqual([50, 50, 100]);
  });

  it('gives up with a retryable error when reads stay throttled', async () => {
    const stream = uniqueName('published');
    await createTestStream(kinesis, stream, 1);
    const client = injecting((command) => {
      if (command === 'GetRecords') throw fail('ProvisionedThroughputExceededException');
    });
    const published = new KinesisPublishedKeys(client, { maxAttempts: 3, sleep: noSleep });
    await expect(published.find({ stream, since: Date.now(), wanted: new Set(['a']), keyOf })).rejects.toMatchObject({ name: 'RetryableError' });
    expect(published.requests.getRecords).toBe(3);
  });
});
