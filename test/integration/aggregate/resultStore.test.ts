import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBDocumentClient } from '../../../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../../../shared/adapters/DynamoDBResultStore.js';
import type { WindowResult } from '../../../shared/ports/ResultStore.js';
import { createTestTable, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const dynamodb = new DynamoDBClient({});
const table = uniqueName('eddy-results');
const HOUR = 3_600_000;
const START = Date.UTC(2015, 0, 1);

/** `count` hourly windows from hour `from`, each one row naming `label`, at `revision`. */
const windows = (from: number, count: number, revision: number, label: string): WindowResult[] =>
  Array.from({ length: count }, (_, i) => ({ window: { start: START + (from + i) * HOUR, end: START + (from + i + 1) * HOUR }, rows: [{ label, hour: from + i }], revision }));

const labels = async (store: DynamoDBResultStore): Promise<string[]> => (await store.read('hourly_sales')).map((row) => String(row.label));

beforeAll(() => createTestTable(dynamodb, table, 'pk', 'sk'));
afterAll(() => dynamodb.send(new DeleteTableCommand({ TableName: table })));

describe('Adapter: DynamoDB result store', () => {
  it('writes first firings 100 windows a request, and settles repeated, stale and newer ones on the newest revision', async () => {
    const store = new DynamoDBResultStore(createDynamoDBDocumentClient(), table);
    await store.putWindows('hourly_sales', windows(0, 250, 5, 'first'));
    expect(store.requests.writes).toBe(3);
    expect(await labels(store)).toEqual(Array.from({ length: 250 }, () => 'first'));
    // The same firing again (a retry), then an older one arriving late: nothing changes.
    await store.putWindows('hourly_sales', windows(0, 250, 5, 'retried'));
    await store.putWindows('hourly_sales', windows(0, 250, 4, 'stale'));
    expect(new Set(await labels(store))).toEqual(new Set(['first']));
    // Newer revisions of some windows mixed with stale ones in one call: each window keeps its newest.
    await store.putWindows('hourly_sales', [...windows(0, 50, 6, 'newer'), ...windows(50, 100, 3, 'stale')]);
    const after = await labels(store);
    expect(after.slice(0, 50)).toEqual(Array.from({ length: 50 }, () => 'newer'));
    expect(after.slice(50)).toEqual(Array.from({ length: 200 }, () => 'first'));
  });

  it('splits a firing of large windows under the transaction size limit', async () => {
    const store = new DynamoDBResultStore(createDynamoDBDocumentClient(), table);
    // 40 windows of ~150 KB each: 6 MB, over TransactWriteItems' 4 MB.
    const big = Array.from({ length: 40 }, (_, i) => ({ window: { start: START + (1000 + i) * HOUR, end: START + (1001 + i) * HOUR }, rows: [{ label: 'x'.repeat(150_000) }], revision: 1 }));
    await store.putWindows('hourly_sales', big);
    expect(store.requests.writes).toBeGreaterThanOrEqual(2);
    expect(await store.read('hourly_sales', { from: START + 1000 * HOUR })).toHaveLength(40);
  });
});
