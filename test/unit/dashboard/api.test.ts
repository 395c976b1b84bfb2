import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilePageAssets } from '../../../shared/adapters/FilePageAssets.js';
import { eventTimeOf, formatLocal } from '../../../shared/aggregate/eventTime.js';
import type { ResultRow } from '../../../shared/aggregate/rows.js';
import { createDashboardApi, type DashboardApi } from '../../../shared/dashboard/api.js';
import type { DashboardView } from '../../../shared/dashboard/view.js';
import { InMemoryResultStore } from '../../helpers/aggregateFakes.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const INDEX_HTML = '<!doctype html><title>매출 대시보드</title>';
const APP_JS = 'console.log("매출");\n';

let root = '';
let api: DashboardApi;

/** A GET (or other) request as API Gateway's proxy integration hands it to the function. */
function request(resource: string, path: string, options: { pathParameters?: Record<string, string>; query?: Record<string, string>; method?: string } = {}): Promise<APIGatewayProxyResult> {
  return api({ httpMethod: options.method ?? 'GET', resource, path, pathParameters: options.pathParameters ?? null, queryStringParameters: options.query ?? null });
}
const file = (name: string): Promise<APIGatewayProxyResult> => request('/{file}', `/${name}`, { pathParameters: { file: name } });
const results = (query: string, params?: Record<string, string>): Promise<APIGatewayProxyResult> =>
  request('/api/results/{query}', `/api/results/${query}`, { pathParameters: { query }, ...(params === undefined ? {} : { query: params }) });
const starts = (response: APIGatewayProxyResult): string[] => (JSON.parse(response.body) as { rows: ResultRow[] }).rows.map((row) => row.window_start as string);
const message = (response: APIGatewayProxyResult): string => (JSON.parse(response.body) as { message: string }).message;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-dashboard-api-'));
  const pages = join(root, 'pages');
  await mkdir(join(pages, 'a'), { recursive: true });
  await Promise.all([
    writeFile(join(pages, 'index.html'), INDEX_HTML),
    writeFile(join(pages, 'app.js'), APP_JS),
    writeFile(join(pages, 'style.css'), 'body { margin: 0 }'),
    writeFile(join(pages, 'notes.txt'), 'not part of the page'),
    writeFile(join(pages, 'a', 'b.js'), 'nested'),
    writeFile(join(root, 'secret.js'), 'outside the page folder'),
  ]);
  const store = new InMemoryResultStore();
  await store.putContinuous('sales_kpi', [{ last_tr_datetime: '2015-01-06T02:10:00', visitors: 42, sum_of_sales: 123_456 }], 1);
  const day = eventTimeOf('2015-01-05T00:00:00') as number;
  for (const h of [0, 1, 2, 3, 24, 25]) {
    const start = day + h * HOUR;
    const window = { start, end: start + HOUR };
    await store.putWindows('hourly_sales', [{ window, rows: [{ window_start: formatLocal(start), window_end: formatLocal(start + HOUR), sum_of_mount: 1000 + h }], revision: 1 }]);
  }
  api = createDashboardApi({ results: store, assets: new FilePageAssets(pages), queries: ['sales_kpi', 'hourly_sales'], clock: () => NOW });
});

afterAll(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('Dashboard: API', () => {
  it('answers GET /api/dashboard with the view as uncached JSON', async () => {
    const response = await request('/api/dashboard', '/api/dashboard');
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    const view = JSON.parse(response.body) as DashboardView;
    expect(view.generatedAt).toBe(new Date(NOW).toISOString());
    expect(view.kpi).toMatchObject({ lastTransaction: '2015-01-06T02:10:00', visitors: 42, sales: 123_456 });
    expect(view.hourly.latest?.sales.slice(0, 3)).toEqual([1024, 1025, null]);
  });

  it('returns a query’s windows starting in [from, to), by date-time or date', async () => {
    const ranged = await results('hourly_sales', { from: '2015-01-05T01:00:00', to: '2015-01-05T03:00:00' });
    expect(ranged.statusCode).toBe(200);
    expect(JSON.parse(ranged.body)).toEqual({
      query: 'hourly_sales',
      rows: [1, 2].map((h) => ({ window_start: `2015-01-05T0${h}:00:00`, window_end: `2015-01-05T0${h + 1}:00:00`, sum_of_mount: 1000 + h })),
    });
    expect(starts(await results('hourly_sales', { from: '2015-01-06' }))).toEqual(['2015-01-06T00:00:00', '2015-01-06T01:00:00']);
    expect(starts(await results('hourly_sales', { to: '2015-01-05T01:00:00' }))).toEqual(['2015-01-05T00:00:00']);
    expect(starts(await results('hourly_sales'))).toHaveLength(6);
  });

  it('returns a continuous query’s current rows', async () => {
    const response = await results('sales_kpi');
    expect(JSON.parse(response.body)).toEqual({ query: 'sales_kpi', rows: [{ last_tr_datetime: '2015-01-06T02:10:00', visitors: 42, sum_of_sales: 123_456 }] });
  });

  it('answers 404 for a query it does not know, naming the known ones', async () => {
    const response = await results('no_such_query');
    expect(response.statusCode).toBe(404);
    expect(message(response)).toBe("no query 'no_such_query'; known: sales_kpi, hourly_sales");
  });

  it('answers 400 for a from or to that is not a date or date-time', async () => {
    for (const [name, value] of [['from', 'yesterday'], ['to', '2015-02-30'], ['from', '2015-01-05T25:00:00'], ['to', '2015-01-05 01']] as const) {
      const response = await results('hourly_sales', { [name]: value });
      expect(response.statusCode, `${name}=${value}`).toBe(400);
      expect(message(response)).toBe(`${name}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, got '${value}'`);
    }
  });

  it('serves index.html at / as text with its content type', async () => {
    const response = await request('/', '/');
    expect(response).toMatchObject({ statusCode: 200, body: INDEX_HTML, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(response.isBase64Encoded).not.toBe(true);
  });

  it('serves the page’s script and stylesheet by name as text', async () => {
    expect(await file('app.js')).toMatchObject({ statusCode: 200, body: APP_JS, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    expect(await file('style.css')).toMatchObject({ statusCode: 200, body: 'body { margin: 0 }', headers: { 'content-type': 'text/css; charset=utf-8' } });
  });

  it('answers 404 for a missing file, a path out of the folder, a nested path or an unknown extension', async () => {
    for (const name of ['missing.js', '../secret.js', 'a/b.js', 'notes.txt', '.hidden.js', '']) {
      const response = await file(name);
      expect(response.statusCode, name).toBe(404);
      expect(response.body, name).not.toMatch(/outside the page folder|nested|not part of the page/);
    }
  });

  it('answers 405 to a method other than GET', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await request('/api/dashboard', '/api/dashboard', { method });
      expect(response.statusCode).toBe(405);
      expect(message(response)).toBe(`${method} is not allowed; the dashboard API is read-only`);
    }
  });

  it('answers 404 for a resource it does not route', async () => {
    const response = await request('/api/other', '/api/other');
    expect(response.statusCode).toBe(404);
    expect(message(response)).toBe('no route /api/other');
  });
});
