import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErrorDocument } from '../../../shared/ports/ErrorSink.js';
import type { FileFormatName } from '../../../shared/writer/formats.js';
import { useTestStack } from '../../helpers/stack.js';
import { FINAL, committedView, createWriterRun, createWriterStack, listObjects, records, writerBatch } from '../../helpers/writerRun.js';

useTestStack();
const A = 'shardId-000000000000';
const STORES = ['등촌점', '역삼점', '강남역 2호점'] as const;
const PRODUCTS = ['바나나맛우유 240ml', '삼각김밥 (참치마요)', '신라면 컵 "매운맛"'] as const;
let s3: S3Client;
let documents: DynamoDBDocumentClient;
let bucket: string;
let table: string;
const directories: string[] = [];

beforeAll(async () => {
  ({ s3, documents, bucket, table } = await createWriterStack('formats'));
});

afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

type Sale = { id: string; tr_datetime: string; mount: number; store_name: string; product_name: string };

/** Sales with Korean store and product names and amounts in quarters (exact in binary floating point). */
const sales = (prefix: string, count: number, start: string): Sale[] =>
  records(prefix, count, start, 60_000).map((record, i) => ({
    id: String(record.id),
    tr_datetime: String(record.tr_datetime),
    mount: 1000 + i + (i % 4) * 0.25,
    store_name: STORES[i % STORES.length] as string,
    product_name: PRODUCTS[i % PRODUCTS.length] as string,
  }));

/** Writes the batches through a writer in `format`, ends the input, and downloads the committed files into a directory of their own. */
async function writeAndDownload(format: FileFormatName, batches: readonly Sale[][]): Promise<{ directory: string; files: number }> {
  const run = createWriterRun({ s3, documents, bucket, table, shards: [A], format });
  for (const batch of batches) await run.write(writerBatch(A, batch));
  await run.write(writerBatch(A, [FINAL]));
  const { files } = await committedView(s3, bucket, run.dataPrefix);
  const directory = await mkdtemp(join(tmpdir(), `eddy-${format}-`));
  directories.push(directory);
  for (const [key, bytes] of files) await writeFile(join(directory, basename(key)), bytes);
  return { directory, files: files.size };
}

/** Runs SQL in DuckDB, as `eddy query` does, and answers the rows as plain objects. */
async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS();
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** The checks every format gets: count, sum, and a few exact rows. */
async function expectReadBack(from: string, sent: readonly Sale[]): Promise<void> {
  const [totals] = await duckdb(`SELECT count(*) AS n, sum(mount) AS total, count(DISTINCT id) AS ids FROM ${from}`);
  expect(Number(totals?.n)).toBe(sent.length);
  expect(Number(totals?.ids)).toBe(sent.length);
  expect(Number(totals?.total)).toBe(sent.reduce((sum, sale) => sum + sale.mount, 0));
  const chosen = [sent[0], sent[7], sent[sent.length - 1]] as Sale[];
  const rows = await duckdb(
    `SELECT id, strftime(CAST(tr_datetime AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S') AS tr_datetime, CAST(mount AS DOUBLE) AS mount, store_name, product_name
     FROM ${from} WHERE id IN (${chosen.map((sale) => `'${sale.id}'`).join(', ')}) ORDER BY id`,
  );
  expect(rows).toEqual([...chosen].sort((a, b) => (a.id < b.id ? -1 : 1)));
}

describe('Writer: file formats', () => {
  it('writes gzip JSON lines that DuckDB reads back exactly, Korean text included', async () => {
    // Three appends to the first hour's file (a gzip member each) and one to the second's.
    const batches = [sales('g0', 40, '2015-01-01T00:00:00'), sales('g1', 10, '2015-01-01T00:40:00'), sales('g2', 25, '2015-01-01T00:50:00')];
    const { directory, files } = await writeAndDownload('gzip', batches);
    expect(files).toBe(2);
    await expectReadBack(`read_json_auto('${directory}/*.json.gz')`, batches.flat());
  });

  it('writes Parquet files that DuckDB reads back exactly, Korean text included', async () => {
    const batches = [sales('p0', 40, '2015-01-01T00:00:00'), sales('p1', 10, '2015-01-01T00:40:00'), sales('p2', 25, '2015-01-01T00:50:00')];
    const { directory, files } = await writeAndDownload('parquet', batches);
    expect(files).toBe(2);
    await expectReadBack(`read_parquet('${directory}/*.parquet')`, batches.flat());
  });

  it('sends records without a valid tr_datetime to the error prefix as schema violations and writes the rest', async () => {
    const run = createWriterRun({ s3, documents, bucket, table, shards: [A] });
    const good = sales('ok', 6, '2015-01-01T00:00:00');
    const bad = [
      { id: 'missing', mount: 1000, store_name: '등촌점' },
      { id: 'month-13', tr_datetime: '2015-13-45', mount: 1000, store_name: '역삼점' },
      { id: 'feb-30', tr_datetime: '2015-02-30T10:00:00', mount: 1000, store_name: '강남점' },
    ];
    const [missing, month13, feb30] = bad;
    const batch = writerBatch(A, [...good.slice(0, 1), { ...missing }, ...good.slice(1, 4), { ...month13 }, { ...feb30 }, ...good.slice(4)]);
    const outcome = await run.write(batch);
    expect(outcome.staged).toBe(good.length);
    expect(outcome.rejected.map((document) => document.errorCode)).toEqual(['schema_violation', 'schema_violation', 'schema_violation']);
    expect(outcome.staged + outcome.rejected.length).toBe(batch.length);

    // Delivered again: nothing new is staged or rejected.
    const again = await run.write(batch);
    expect(again).toMatchObject({ staged: 0, rejected: [], replayed: batch.length });
    await run.write(writerBatch(A, [FINAL]));

    const errors = await listObjects(s3, bucket, `${run.dataPrefix}errors/`);
    expect(errors.size).toBe(bad.length);
    const keyPattern = new RegExp(`^${run.dataPrefix}errors/year=2026/month=01/day=01/hour=00/schema-violation/s3-writer-${A}-\\d+\\.json$`);
    for (const key of errors.keys()) expect(key).toMatch(keyPattern);
    const rejected = [...errors.values()].map((bytes) => JSON.parse(bytes.toString('utf8')) as ErrorDocument);
    expect(rejected.map((document) => [document.errorCode, document.errorOutputType, document.stage])).toEqual(bad.map(() => ['schema_violation', 'schema-violation', 's3-writer']));
    expect(rejected.map((document) => JSON.parse(Buffer.from(document.rawData, 'base64').toString('utf8')) as unknown).sort((a, b) => ((a as Sale).id < (b as Sale).id ? -1 : 1))).toEqual(
      [...bad].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect((await committedView(s3, bucket, run.dataPrefix)).ids).toEqual(good.map((sale) => sale.id).sort());
  });
});
