import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardServer, type DashboardServer } from '../../../local/dashboard/server.js';
import { loadServerlessModel } from '../../../local/loadServerlessModel.js';
import { createDynamoDBDocumentClient } from '../../../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../../../shared/adapters/DynamoDBResultStore.js';
import { FilePageAssets } from '../../../shared/adapters/FilePageAssets.js';
import { eventTimeOf, formatLocal } from '../../../shared/aggregate/eventTime.js';
import type { ResultRow } from '../../../shared/aggregate/rows.js';
import { SHIPPED_QUERY_NAMES } from '../../../shared/aggregate/queries.js';
import { createDashboardApi } from '../../../shared/dashboard/api.js';
import type { DashboardView } from '../../../shared/dashboard/view.js';
import { createTestTable, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const table = uniqueName('dashboard');
const KEY = 'local-dashboard-key-0123456789';
const INDEX_HTML = '<!doctype html><title>Sales</title>';
const HOUR = 3_600_000;
const DAY_START = eventTimeOf('2015-01-05T00:00:00') as number;

let server: DashboardServer;
let pages = '';
const dynamodb = new DynamoDBClient({});

const get = (path: string, key?: string): Promise<Response> => fetch(new URL(path, server.url), key === undefined ? {} : { headers: { 'x-api-key': key } });

beforeAll(async () => {
  await createTestTable(dynamodb, table, 'pk', 'sk');
  const store = new DynamoDBResultStore(createDynamoDBDocumentClient(), table);
  await store.putContinuous('sales_kpi', [{ last_tr_datetime: '2015-01-05T03:40:00', visitors: 77, sum_of_sales: 654_321 }], 3);
  await store.putContinuous('division_totals', [{ division_name: '음료', cnt_of_sales: 4, sum_of_sales: 8000 }, { division_name: '과자', cnt_of_sales: 6, sum_of_sales: 9000 }], 3);
  await store.putWindows(
    'hourly_sales',
    [0, 1, 2, 3].map((h) => {
      const start = DAY_START + h * HOUR;
      return { window: { start, end: start + HOUR }, rows: [{ window_start: formatLocal(start), window_end: formatLocal(start + HOUR), sum_of_mount: 1000 * (h + 1) }], revision: 1 };
    }),
  );
  pages = await mkdtemp(join(tmpdir(), 'eddy-dashboard-server-'));
  await writeFile(join(pages, 'index.html'), INDEX_HTML);

  const model = await loadServerlessModel({ stage: 'dev' });
  const fn = model.functions.find((candidate) => candidate.httpEvents.length > 0);
  if (fn === undefined) throw new Error('serverless.yml declares no function with http events');
  const api = createDashboardApi({ results: store, assets: new FilePageAssets(pages), queries: SHIPPED_QUERY_NAMES, clock: Date.now });
  server = await startDashboardServer({ routes: fn.httpEvents, api, apiKey: KEY, port: 0 });
});

afterAll(async () => {
  await server?.close();
  await dynamodb.send(new DeleteTableCommand({ TableName: table }));
  if (pages !== '') await rm(pages, { recursive: true, force: true });
});

describe('Dashboard: local server', () => {
  it('answers 403 Forbidden on /api/dashboard without the API key', async () => {
    const response = await get('/api/dashboard');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it('answers 403 Forbidden to a wrong key of the same length', async () => {
    const wrong = `${KEY.slice(0, -1)}X`;
    expect(wrong).toHaveLength(KEY.length);
    const response = await get('/api/dashboard', wrong);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it('answers 403 Forbidden, and keeps serving, for a same-length key with a non-ASCII character', async () => {
    const response = await get('/api/dashboard', `${KEY.slice(0, -1)}é`);
    expect(response.status).toBe(403);
    expect((await get('/api/dashboard', KEY)).status).toBe(200);
  });

  it('serves the stored figures on /api/dashboard with the key', async () => {
    const response = await get('/api/dashboard', KEY);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const view = (await response.json()) as DashboardView;
    expect(view.kpi).toMatchObject({ lastTransaction: '2015-01-05T03:40:00', visitors: 77, sales: 654_321 });
    expect(view.divisions).toEqual([
      { division: '과자', sales: 9000, count: 6 },
      { division: '음료', sales: 8000, count: 4 },
    ]);
    expect(view.hourly.latest).toEqual({ day: '2015-01-05', sales: [1000, 2000, 3000, 4000, ...Array.from({ length: 20 }, () => null)] });
  });

  it('returns only the windows in [from, to) on /api/results/{query}', async () => {
    const response = await get('/api/results/hourly_sales?from=2015-01-05T01:00:00&to=2015-01-05T03:00:00', KEY);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { query: string; rows: ResultRow[] };
    expect(body.rows).toEqual([
      { window_start: '2015-01-05T01:00:00', window_end: '2015-01-05T02:00:00', sum_of_mount: 2000 },
      { window_start: '2015-01-05T02:00:00', window_end: '2015-01-05T03:00:00', sum_of_mount: 3000 },
    ]);
    const day = (await (await get('/api/results/hourly_sales?from=2015-01-05', KEY)).json()) as { rows: ResultRow[] };
    expect(day.rows.map((row) => row.sum_of_mount)).toEqual([1000, 2000, 3000, 4000]);
    expect((await get('/api/results/hourly_sales?from=nope', KEY)).status).toBe(400);
    expect((await get('/api/results/hourly_sales?from=2015-01-05')).status).toBe(403);
  });

  it('answers 403 Missing Authentication Token for a path no route matches', async () => {
    for (const path of ['/nope/deeper', '/api/results/hourly_sales/extra']) {
      const response = await get(path, KEY);
      expect(response.status, path).toBe(403);
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    }
  });

  it('answers 403 Missing Authentication Token for a malformed percent-encoded path, and keeps serving', async () => {
    const response = await get('/%E0%A4%A');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect((await get('/')).status).toBe(200);
  });

  it('serves the page at / as HTML without a key', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe(INDEX_HTML);
    expect((await get('/index.html')).status).toBe(200);
    expect((await get('/missing.js')).status).toBe(404);
  });
});
