import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../shared/adapters/clients.js';
import { eventTimeOf } from '../../../shared/aggregate/eventTime.js';
import { errorOutputType, type ErrorReason } from '../../../shared/errorReasons.js';
import { partitionPath } from '../../../shared/lake/layout.js';
import { LakeQueryError, queryLake } from '../../../shared/lake/queryLake.js';
import type { ErrorDocument } from '../../../shared/ports/ErrorSink.js';
import type { EnrichedTransaction } from '../../../shared/types.js';
import { queries } from '../../../queries/index.js';
import { buildAggregateInput } from '../../helpers/aggregateInput.js';
import { enrichLines, loadProductMap } from '../../helpers/aggregateRun.js';
import { createTestBucket, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const s3 = createS3Client();
const bucket = uniqueName('lake');
const emptyBucket = uniqueName('lake-empty');
const HOURS = ['11', '12', '13', '14'];

const input = buildAggregateInput({ seed: 23, days: 1, stores: 2, rows: 600, duplicateRate: 0, lateCount: 0 });
const records = enrichLines(input.phase1, loadProductMap()).filter((record) => HOURS.includes(record.tr_datetime.slice(11, 13)));
const hourPath = (record: EnrichedTransaction): string => partitionPath(eventTimeOf(record.tr_datetime) as number, 'hour');
const byHour = new Map<string, EnrichedTransaction[]>();
for (const record of records) byHour.set(hourPath(record), [...(byHour.get(hourPath(record)) ?? []), record]);
const jsonLines = (rows: readonly object[]): string => rows.map((row) => `${JSON.stringify(row)}\n`).join('');

const put = (key: string, body: string | Uint8Array): Promise<unknown> => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength }));

const errorDocument = (reason: ErrorReason, seq: string): ErrorDocument => ({
  stage: 'enrich',
  errorCode: reason,
  errorOutputType: errorOutputType(reason),
  errorMessage: `rejected: ${reason}`,
  source: { stream: 'eddy-test-raw', shard: 'shardId-000000000000', seq },
  partitionKey: `pk-${seq}`,
  arrivalTimestamp: 1_420_462_800_000,
  rawData: Buffer.from('{"oops"').toString('base64'),
});

/** GROUP BY in JS: count and sum of mount per key, in key order. */
function groupTotals(key: (record: EnrichedTransaction) => string): Map<string, { count: number; sum: number }> {
  const totals = new Map<string, { count: number; sum: number }>();
  for (const record of records) {
    const entry = totals.get(key(record)) ?? { count: 0, sum: 0 };
    entry.count += 1;
    entry.sum += record.mount;
    totals.set(key(record), entry);
  }
  return new Map([...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const lake = (sql: string, target = bucket): ReturnType<typeof queryLake> => queryLake(s3, target, sql, { queries: Object.values(queries) });
const values = (rows: readonly Record<string, unknown>[]): unknown[][] => rows.map((row) => Object.values(row));

beforeAll(async () => {
  expect(byHour.size).toBe(HOURS.length);
  expect(records.length).toBeGreaterThan(40);
  await Promise.all([createTestBucket(s3, bucket), createTestBucket(s3, emptyBucket)]);
  const partitions = [...byHour.keys()];
  await Promise.all(
    [...byHour].map(([partition, rows], i) => {
      // One object gzip'd, as the S3 writer may; the others split in two to have several per hour.
      if (i === 0) return put(`data/stream_data/${partition}part-0000.json.gz`, gzipSync(jsonLines(rows)));
      const half = Math.ceil(rows.length / 2);
      return Promise.all([put(`data/stream_data/${partition}part-0000.json`, jsonLines(rows.slice(0, half))), put(`data/stream_data/${partition}part-0001.json`, jsonLines(rows.slice(half)))]);
    }),
  );
  const first = partitions[0] as string;
  const second = partitions[1] as string;
  const extra = jsonLines(records.slice(0, 5));
  await Promise.all([
    put(`data/stream_data/${first}_SUCCESS`, ''),
    put(`data/stream_data/${second}.in-progress/part-0002.json`, extra),
    put(`data/stream_data/.in-progress/${second}part-0003.json`, extra),
    put(`data/stream_data/${second}_temporary/part-0004.json`, extra),
    put(`data/stream_error_data/year=2015/month=01/day=01/hour=13/malformed/enrich-1.json`, `${JSON.stringify(errorDocument('not_json', '1'))}\n`),
    put(`data/stream_error_data/year=2015/month=01/day=01/hour=13/unknown-product/enrich-2.json`, `${JSON.stringify(errorDocument('unknown_product', '2'))}\n`),
    put(
      'data/summary/hourly_sales/year=2015/month=01/day=01/part-0000.json',
      jsonLines([
        { window_start: '2015-01-01T11:00:00', window_end: '2015-01-01T12:00:00', sum_of_mount: 1500, query: 'hourly_sales', revision: 1, pk: 'hourly_sales#2015-01-01T11:00:00' },
        { window_start: '2015-01-01T12:00:00', window_end: '2015-01-01T13:00:00', sum_of_mount: 2500.5, query: 'hourly_sales', revision: 2, pk: 'hourly_sales#2015-01-01T12:00:00' },
      ]),
    ),
    put('data/summary/hourly_sales/_SUCCESS', ''),
  ]);
});

describe('Lake: queryLake', () => {
  it('answers the hands-on’s daily totals query as a direct computation does', async () => {
    const result = await lake('SELECT tr_date, count(*), sum(mount) FROM transaction_order GROUP BY tr_date ORDER BY tr_date');
    expect(result.columns).toEqual(['tr_date', 'count_star()', 'sum(mount)']);
    expect(values(result.rows)).toEqual([...groupTotals((record) => record.tr_date)].map(([date, { count, sum }]) => [date, count, sum]));
  });

  it('answers the hands-on’s per-time totals query as a direct computation does', async () => {
    const result = await lake('SELECT tr_date, tr_time, count(*), sum(mount) FROM transaction_order GROUP BY tr_date, tr_time ORDER BY tr_date, tr_time');
    const expected = [...groupTotals((record) => `${record.tr_date}\u0000${record.tr_time}`)].map(([key, { count, sum }]) => [...key.split('\u0000'), count, sum]);
    expect(values(result.rows)).toEqual(expected);
  });

  it('answers the hands-on’s category totals query as a direct computation does', async () => {
    const result = await lake('SELECT division_name, maincategory_name, subcategory_name, count(*), sum(mount) AS total FROM transaction_order GROUP BY 1,2,3 ORDER BY total DESC');
    const totals = values(result.rows).map((row) => row[4] as number);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    const expected = [...groupTotals((record) => [record.division_name, record.maincategory_name, record.subcategory_name].join('\u0000'))].map(([key, { count, sum }]) => [...key.split('\u0000'), count, sum]);
    const byKey = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => (a.slice(0, 3).join('\u0000') < b.slice(0, 3).join('\u0000') ? -1 : 1));
    expect(byKey(values(result.rows))).toEqual(byKey(expected));
  });

  it('reads the hour partitions from the paths as integer columns', async () => {
    const thirteen = records.filter((record) => record.tr_datetime.slice(11, 13) === '13');
    const result = await lake('SELECT year, month, day, hour, count(*) AS n, typeof(year) AS t FROM transaction_order WHERE year = 2015 AND hour = 13 GROUP BY ALL');
    expect(result.rows).toEqual([{ year: 2015, month: 1, day: 1, hour: 13, n: thirteen.length, t: 'INTEGER' }]);
    const types = await lake("SELECT typeof(qty) AS qty, typeof(mount) AS mount, typeof(tr_datetime) AS tr_datetime FROM transaction_order LIMIT 1");
    expect(types.rows).toEqual([{ qty: 'INTEGER', mount: 'DOUBLE', tr_datetime: 'VARCHAR' }]);
  });

  it('skips markers and in-progress objects, and counts every committed record once', async () => {
    const result = await lake('SELECT count(*) AS n, count(DISTINCT pk) AS keys FROM transaction_order');
    expect(result.rows).toEqual([{ n: records.length, keys: records.length }]);
    expect(result.skipped).toHaveLength(5);
    expect(result.skipped.every((key) => /(^|\/)[_.]/.test(key))).toBe(true);
  });

  it('counts the error documents by the error output type of their folder', async () => {
    const result = await lake('SELECT error_output_type, errorCode, source.seq AS seq, hour, count(*) AS n FROM transaction_errors GROUP BY ALL ORDER BY error_output_type');
    expect(result.rows).toEqual([
      { error_output_type: 'malformed', errorCode: 'not_json', seq: '1', hour: 13, n: 1 },
      { error_output_type: 'unknown-product', errorCode: 'unknown_product', seq: '2', hour: 13, n: 1 },
    ]);
  });

  it('has a view per query: its rows where it wrote files, empty with its columns where not', async () => {
    const result = await lake('SELECT window_start, sum_of_mount, revision, day FROM hourly_sales ORDER BY window_start');
    expect(result.rows).toEqual([
      { window_start: '2015-01-01T11:00:00', sum_of_mount: 1500, revision: 1, day: 1 },
      { window_start: '2015-01-01T12:00:00', sum_of_mount: 2500.5, revision: 2, day: 1 },
    ]);
    expect(result.views).toEqual(expect.arrayContaining(['transaction_order', 'transaction_errors', ...Object.keys(queries)]));
    const none = await lake('SELECT * FROM hourly_top3_divisions');
    expect(none.rows).toEqual([]);
    expect(none.columns).toEqual(['window_start', 'window_end', 'division_name', 'mount', 'cnt', 'rownum', 'query', 'revision', 'pk', 'year', 'month', 'day']);
  });

  it('gives empty views over an empty bucket, so queries still run', async () => {
    const result = await lake('SELECT (SELECT count(*) FROM transaction_order) AS raw, (SELECT count(*) FROM transaction_errors) AS errors, (SELECT count(*) FROM hourly_sales) AS summary', emptyBucket);
    expect(result.rows).toEqual([{ raw: 0, errors: 0, summary: 0 }]);
    const columns = await lake('SELECT * FROM transaction_order', emptyBucket);
    expect(columns.columns).toHaveLength(19 + 1 + 4);
    expect(columns.columns.slice(-4)).toEqual(['year', 'month', 'day', 'hour']);
  });

  it('rejects bad SQL with DuckDB’s message', async () => {
    await expect(lake('SELEC count(*) FROM transaction_order')).rejects.toThrow(LakeQueryError);
    await expect(lake('SELEC count(*) FROM transaction_order')).rejects.toThrow(/^SQL error: Parser Error: syntax error at or near "SELEC"/);
    await expect(lake('SELECT amount FROM transaction_order')).rejects.toThrow(/^SQL error: Binder Error: .*"amount"/);
  });
});
