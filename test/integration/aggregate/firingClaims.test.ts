import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBDocumentClient } from '../../../shared/adapters/clients.js';
import { DynamoDBAggregateStateStore } from '../../../shared/adapters/DynamoDBAggregateStateStore.js';
import { createTestTable, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const dynamodb = new DynamoDBClient({});
const table = uniqueName('eddy-state');
const HOUR = 3_600_000;

beforeAll(() => createTestTable(dynamodb, table, 'pk', 'sk'));
afterAll(() => dynamodb.send(new DeleteTableCommand({ TableName: table })));

describe('Adapter: DynamoDB aggregate state, firing claims', () => {
  it('completes every claim of a round in one write', async () => {
    const store = new DynamoDBAggregateStateStore(createDynamoDBDocumentClient(), table);
    const claims = ['hourly_sales', 'daily_sales', 'top3'].map((query) => ({ query, from: undefined, to: 10 * HOUR }));
    expect(await store.claimFiring('shard-a', claims, 1_000)).toBe(true);
    expect([...(await store.readPipeline()).pending.keys()].sort()).toEqual(['daily_sales', 'hourly_sales', 'top3']);
    const writes = store.requests.writes;
    await store.completeFirings(claims);
    expect(store.requests.writes - writes).toBe(1);
    const pipeline = await store.readPipeline();
    expect(pipeline.pending.size).toBe(0);
    expect(pipeline.fired.get('daily_sales')).toBe(10 * HOUR);
  });

  it('completes the rest one at a time when another invocation took one over and completed it', async () => {
    const store = new DynamoDBAggregateStateStore(createDynamoDBDocumentClient(), table);
    const claims = ['hourly_sales', 'daily_sales', 'top3'].map((query) => ({ query, from: 10 * HOUR, to: 20 * HOUR }));
    expect(await store.claimFiring('shard-a', claims, 2_000)).toBe(true);
    const pending = (await store.readPipeline()).pending.get('daily_sales');
    expect(pending).toBeDefined();
    // Another shard's invocation takes the stalled claim over and completes it, then claims the next range.
    expect(await store.takeOverFiring('daily_sales', pending as NonNullable<typeof pending>, 'shard-b', 200_000)).toBe(true);
    await store.completeFirings([{ query: 'daily_sales', to: 20 * HOUR }]);
    expect(await store.claimFiring('shard-b', [{ query: 'daily_sales', from: 20 * HOUR, to: 30 * HOUR }], 201_000)).toBe(true);
    // The first owner finishes late: its own claims complete, the newer one of shard-b stays pending.
    await store.completeFirings(claims);
    const pipeline = await store.readPipeline();
    expect([...pipeline.pending.keys()]).toEqual(['daily_sales']);
    expect(pipeline.pending.get('daily_sales')).toMatchObject({ from: 20 * HOUR, to: 30 * HOUR, owner: 'shard-b' });
  });
});
