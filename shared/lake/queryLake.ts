/**
 * `eddy query`'s engine: SQL over the data bucket without Athena. It copies the committed
 * objects of the three prefixes (raw records, errors, query results) into a temporary
 * directory, opens an in-memory DuckDB with a view per table (see `lakeViews.ts`) and runs the
 * SQL there. SQL written for the hands-on's Athena table runs unchanged against
 * `transaction_order`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ResultRow } from '../aggregate/rows.js';
import { PipelineError } from '../errors.js';
import type { QueryDefinition } from '../queries/definition.js';
import { downloadLake, type DownloadLakeOptions } from './downloadLake.js';
import { ERROR_PREFIX, RAW_PREFIX, SUMMARY_PREFIX } from './layout.js';
import { emptyView, lakeViews, sqlString, viewOverFiles, type LakeView } from './lakeViews.js';

/** The user's SQL failed in DuckDB (syntax, unknown column, bad cast): the message is DuckDB's. */
export class LakeQueryError extends PipelineError {
  public readonly sql: string;

  public constructor(sql: string, message: string, options?: ErrorOptions) {
    super(`SQL error: ${message}`, options);
    this.name = 'LakeQueryError';
    this.sql = sql;
  }
}

/** Options of {@link queryLake}. */
export interface QueryLakeOptions extends DownloadLakeOptions {
  /** The queries whose result views exist even before they wrote a file. @default none */
  readonly queries?: readonly QueryDefinition[];
}

/** The answer of {@link queryLake}. */
export interface LakeQueryResult {
  /** Column names in order; a repeated name gets a `:1`, `:2` suffix. */
  readonly columns: readonly string[];
  /** The rows: whole numbers (`count(*)`) as numbers, dates and nested values as text. */
  readonly rows: readonly ResultRow[];
  /** The views the SQL could use. */
  readonly views: readonly string[];
  /** Objects listed and skipped as not committed (`_SUCCESS`, `.in-progress/…`). */
  readonly skipped: readonly string[];
}

type Cell = ResultRow[string];

/** A DuckDB value as a result cell: exact integers stay numbers while they are safe. */
function cellOf(js: unknown, raw: unknown): Cell {
  if (js === null || js === undefined) return null;
  if (typeof js === 'number' || typeof js === 'string') return js;
  if (typeof js === 'bigint') return Number.isSafeInteger(Number(js)) ? Number(js) : js.toString();
  return String(raw);
}

/** Creates every view: over its files when the glob matches any, else empty with the same columns. */
async function createViews(connection: DuckDBConnection, views: readonly LakeView[], directory: string): Promise<string[]> {
  const created: string[] = [];
  for (const view of views) {
    const found = await connection.runAndReadAll(`SELECT count(*) FROM glob(${sqlString(`${directory}/${view.glob}`)})`);
    const files = Number(found.getRowsJS()[0]?.[0] ?? 0);
    if (files === 0 && view.schema === undefined) continue;
    // DuckDB reads a sample of the files when it binds the view: a malformed object fails here.
    await connection.run(files > 0 ? viewOverFiles(view, directory) : emptyView({ ...view, schema: view.schema as NonNullable<LakeView['schema']> })).catch((error: unknown) => {
      throw new PipelineError(`cannot create view ${view.name} over ${view.glob}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    created.push(view.name);
  }
  return created;
}

/**
 * Runs SQL over the committed objects of the data bucket.
 * @param s3 - the S3 client
 * @param bucket - the data bucket
 * @param sql - the SQL; tables are `transaction_order`, `transaction_errors` and one per query
 * @param options - known queries, download concurrency
 * @throws LakeQueryError when DuckDB refuses the SQL
 */
export async function queryLake(s3: S3Client, bucket: string, sql: string, options: QueryLakeOptions = {}): Promise<LakeQueryResult> {
  const directory = await mkdtemp(join(tmpdir(), 'eddy-lake-'));
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const { paths, skipped } = await downloadLake(s3, bucket, [RAW_PREFIX, ERROR_PREFIX, SUMMARY_PREFIX], directory, options);
    const found = [...new Set(paths.filter((path) => path.startsWith(SUMMARY_PREFIX)).map((path) => path.slice(SUMMARY_PREFIX.length).split('/')[0] as string))];
    const connection = await instance.connect();
    try {
      const views = await createViews(connection, lakeViews(options.queries ?? [], found), directory.replaceAll('\\', '/'));
      const reader = await connection.runAndReadAll(sql).catch((error: unknown) => {
        throw new LakeQueryError(sql, error instanceof Error ? error.message : String(error), { cause: error });
      });
      const columns = reader.deduplicatedColumnNames();
      const raw = reader.getRows();
      const rows = reader.getRowsJS().map((values, r) => Object.fromEntries(columns.map((column, c) => [column, cellOf(values[c], raw[r]?.[c])])));
      return { columns, rows, views, skipped };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
    await rm(directory, { recursive: true, force: true });
  }
}
