import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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

  it('stores rows as one JSON string, and still reads items written as a list of maps', async () => {
    const documents = createDynamoDBDocumentClient();
    const store = new DynamoDBResultStore(documents, table);
    const rows = [{ window_start: '2015-01-02T00:00:00', division_name: '간편식사', sum_of_mount: 900 }, { window_start: '2015-01-02T00:00:00', division_name: null, sum_of_mount: 1200.5 }];
    await store.putWindows('daily_sales', [{ window: { start: START + 24 * HOUR, end: START + 48 * HOUR }, rows, revision: 1 }]);
    const { Item } = await documents.send(new GetCommand({ TableName: table, Key: { pk: 'daily_sales', sk: '2015-01-02T00:00:00/2015-01-03T00:00:00' } }));
    expect(Item?.rows_json).toBe(JSON.stringify(rows));
    expect(Item?.rows).toBeUndefined();
    // An item of the earlier layout, beside it.
    await documents.send(new PutCommand({ TableName: table, Item: { pk: 'daily_sales', sk: '2015-01-01T00:00:00/2015-01-02T00:00:00', window_start: '2015-01-01T00:00:00', window_end: '2015-01-02T00:00:00', rows: [{ sum_of_mount: 7 }], revision: 1 } }));
    expect(await store.read('daily_sales')).toEqual([{ sum_of_mount: 7 }, ...rows]);
    await store.putContinuous('division_totals', rows, 3);
    expect(await store.read('division_totals')).toEqual(rows);
  });
});
