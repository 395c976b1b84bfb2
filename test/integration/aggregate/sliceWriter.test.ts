import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBDocumentClient } from '../../../shared/adapters/clients.js';
import { DynamoDBAggregateStateStore } from '../../../shared/adapters/DynamoDBAggregateStateStore.js';
import { sliceSortKey } from '../../../shared/adapters/DynamoDBSliceWriter.js';
import { SEP, checkpointAttribute } from '../../../shared/aggregate/partials.js';
import { StateLimitError } from '../../../shared/errors.js';
import type { SliceUpdate } from '../../../shared/ports/AggregateStateStore.js';
import { createTestTable, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const dynamodb = new DynamoDBClient({});
const HOUR = 3_600_000;
const SUM = `0s${SEP}["all"]`;

/** A batch of records at positions `first`..`last`, each adding `amount` to one group's sum in every slice given. */
function batchOf(query: string, slices: readonly number[], first: number, last: number, amount = 1): { span: { first: string; last: string }; updates: SliceUpdate[] } {
  const position = (n: number): string => String(n).padStart(8, '0');
  const positions = Array.from({ length: last - first + 1 }, (_, i) => position(first + i));
  const updates = slices.map((slice): SliceUpdate => ({
    query,
    slice,
    deltaAfter: (after) => ({ add: new Map([[SUM, positions.filter((p) => after === undefined || p > after).length * amount]].filter(([, sum]) => (sum as number) > 0) as [string, number][]), max: new Map(), min: new Map() }),
  }));
  return { span: { first: position(first), last: position(last) }, updates };
}

const sums = async (store: DynamoDBAggregateStateStore, query: string, to: number): Promise<number[]> => (await store.readSlices(query, 0, to)).map((image) => image.attributes[SUM] as number);

describe('Adapter: DynamoDB slice writer', () => {
  let table: string;
  beforeAll(async () => {
    table = uniqueName('eddy-slices');
    await createTestTable(dynamodb, table, 'pk', 'sk');
  });
  afterAll(() => dynamodb.send(new DeleteTableCommand({ TableName: table })));

  it('counts two shards writing the same 150 slices at once, each batch once, when one transaction loses the race', async () => {
    const client = createDynamoDBDocumentClient();
    const slices = Array.from({ length: 150 }, (_, i) => i * HOUR);
    const b = new DynamoDBAggregateStateStore(client, table);
    const shardB = batchOf('race', slices, 1, 20, 2);
    // Shard A has read its slices; shard B writes them all before A's first transaction goes out.
    let raced = false;
    const racing = new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: unknown) => {
          if (command instanceof TransactWriteCommand && !raced) {
            raced = true;
            await b.applySlices('shard-b', shardB.span, shardB.updates);
          }
          return target.send(command as never);
        };
      },
    }) as DynamoDBDocumentClient;
    const a = new DynamoDBAggregateStateStore(racing, table);
    const shardA = batchOf('race', slices, 1, 10, 1);
    await a.applySlices('shard-a', shardA.span, shardA.updates);
    expect(raced).toBe(true);
    // The lost transactions came back with the slices as B left them, and were written again from there.
    expect(a.requests.writes).toBeGreaterThan(2);
    expect(await sums(a, 'race', 150 * HOUR)).toEqual(slices.map(() => 10 + 40));
    // Both batches delivered again: nothing changes, the versions neither.
    const before = await a.readSlices('race', 0, 150 * HOUR);
    await a.applySlices('shard-a', shardA.span, shardA.updates);
    await b.applySlices('shard-b', shardB.span, shardB.updates);
    const after = await a.readSlices('race', 0, 150 * HOUR);
    expect(after.map((image) => [image.attributes[SUM], image.version])).toEqual(before.map((image) => [image.attributes[SUM], image.version]));
    expect(after[0]?.attributes[checkpointAttribute('shard-a')]).toBe(shardA.span.last);
    expect(after[0]?.attributes[checkpointAttribute('shard-b')]).toBe(shardB.span.last);
  });

  it('carries the state of items of the earlier layout (one per query, packed or not) into the shared item on its next write', async () => {
    const client = createDynamoDBDocumentClient();
    const sk = sliceSortKey(HOUR);
    await client.send(new PutCommand({ TableName: table, Item: { pk: 'slice#legacy', sk, v: 3, [checkpointAttribute('shard-x')]: '00000005', [SUM]: 10, expires_at: 2_000_000_000 } }));
    const packed = { [checkpointAttribute('shard-x')]: '00000003', [SUM]: 7 };
    await client.send(new PutCommand({ TableName: table, Item: { pk: 'slice#packed', sk, v: 2, state: deflateRawSync(JSON.stringify(packed)), expires_at: 2_000_000_000 } }));
    const store = new DynamoDBAggregateStateStore(client, table);
    expect(await sums(store, 'legacy', 2 * HOUR)).toEqual([10]);
    expect(await sums(store, 'packed', 2 * HOUR)).toEqual([7]);
    const legacy = batchOf('legacy', [HOUR], 1, 5);
    const both = [...legacy.updates, ...batchOf('packed', [HOUR], 1, 5).updates];
    const writes = store.requests.writes;
    await store.applySlices('shard-y', legacy.span, both);
    // Both queries' states went into one item, in one put.
    expect(store.requests.writes - writes).toBe(1);
    const [image] = await store.readSlices('legacy', 0, 2 * HOUR);
    expect([image?.attributes[SUM], image?.version, image?.attributes[checkpointAttribute('shard-x')]]).toEqual([15, 4, '00000005']);
    const [other] = await store.readSlices('packed', 0, 2 * HOUR);
    expect([other?.attributes[SUM], other?.version]).toEqual([12, 3]);
    const { Item = {} } = await client.send(new GetCommand({ TableName: table, Key: { pk: 'slices', sk } }));
    expect(Item.state).toBeInstanceOf(Uint8Array);
    expect(Object.keys(JSON.parse(inflateRawSync(Item.state as Uint8Array).toString()))).toEqual(expect.arrayContaining(['legacy', 'packed']));
    // Delivered again: nothing is written, nothing counts twice.
    await store.applySlices('shard-y', legacy.span, both);
    expect(store.requests.writes - writes).toBe(1);
    expect(await sums(new DynamoDBAggregateStateStore(client, table), 'legacy', 2 * HOUR)).toEqual([15]);
  });

  it('keeps one item per slice start for every query: two queries over three hours write three items', async () => {
    const store = new DynamoDBAggregateStateStore(createDynamoDBDocumentClient(), table);
    const hours = [500 * HOUR, 501 * HOUR, 502 * HOUR];
    const first = batchOf('q1', hours, 1, 4);
    const writes = store.requests.writes;
    await store.applySlices('shard-a', first.span, [...first.updates, ...batchOf('q2', hours, 1, 4, 10).updates]);
    // Three items in one transaction.
    expect(store.requests.writes - writes).toBe(1);
    const { Count } = await createDynamoDBDocumentClient().send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b', ExpressionAttributeValues: { ':pk': 'slices', ':a': sliceSortKey(500 * HOUR), ':b': sliceSortKey(502 * HOUR) } }));
    expect(Count).toBe(3);
    expect((await store.readSlices('q1', 500 * HOUR, 503 * HOUR)).map((image) => image.attributes[SUM])).toEqual([4, 4, 4]);
    expect((await store.readSlices('q2', 500 * HOUR, 503 * HOUR)).map((image) => image.attributes[SUM])).toEqual([40, 40, 40]);
    expect(await store.readSlices('q3', 500 * HOUR, 503 * HOUR)).toEqual([]);
  });

  it('answers reads asked for together with one Query per run of overlapping ranges', async () => {
    const store = new DynamoDBAggregateStateStore(createDynamoDBDocumentClient(), table);
    const hours = [600 * HOUR, 601 * HOUR, 602 * HOUR, 700 * HOUR];
    const batch = batchOf('r1', hours, 1, 3);
    await store.applySlices('shard-a', batch.span, [...batch.updates, ...batchOf('r2', hours, 1, 3, 10).updates]);
    const alone = async (query: string, from: number, to: number): Promise<unknown[]> => (await store.readSlices(query, from, to)).map((image) => [image.slice, image.attributes[SUM]]);
    const expected = [await alone('r1', 600 * HOUR, 603 * HOUR), await alone('r1', 601 * HOUR, 602 * HOUR), await alone('r2', 602 * HOUR, 603 * HOUR), await alone('r2', 700 * HOUR, 701 * HOUR)];
    expect(expected).toEqual([
      [[600 * HOUR, 3], [601 * HOUR, 3], [602 * HOUR, 3]],
      [[601 * HOUR, 3]],
      [[602 * HOUR, 30]],
      [[700 * HOUR, 30]],
    ]);
    const reads = store.requests.reads;
    const together = await Promise.all([
      store.readSlices('r1', 600 * HOUR, 603 * HOUR),
      store.readSlices('r1', 601 * HOUR, 602 * HOUR),
      store.readSlices('r2', 602 * HOUR, 603 * HOUR),
      store.readSlices('r2', 700 * HOUR, 701 * HOUR),
    ]);
    expect(together.map((images) => images.map((image) => [image.slice, image.attributes[SUM]]))).toEqual(expected);
    // 600–603 h once, 700 h once.
    expect(store.requests.reads - reads).toBe(2);
  });

  it('refuses a slice too large for one item even packed, naming the query', async () => {
    const store = new DynamoDBAggregateStateStore(createDynamoDBDocumentClient(), table);
    // 60,000 groups with incompressible names: well over 400 KB deflated.
    const groups = new Map(Array.from({ length: 60_000 }, (_, i) => [`0s${SEP}["${Math.random().toString(36).slice(2)}${i}"]`, i + 0.5] as [string, number]));
    const update: SliceUpdate = { query: 'crowded', slice: 0, deltaAfter: () => ({ add: groups, max: new Map(), min: new Map() }) };
    await expect(store.applySlices('shard-a', { first: '1', last: '2' }, [update])).rejects.toThrow(StateLimitError);
    await expect(store.applySlices('shard-a', { first: '1', last: '2' }, [update])).rejects.toThrow(/crowded/);
  });
});
