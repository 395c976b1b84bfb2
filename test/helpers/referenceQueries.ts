import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { QueryName } from '../../queries/index.js';

/**
 * An independent computation of the shipped queries in DuckDB SQL, written by hand from
 * their Flink SQL (docs/queries.md), so tests can check the aggregate stage row for row against
 * something that shares none of its code: not the definitions, not the window assigner, not the
 * schema check. Only the input file's line splitting and JSON parsing happen in JS, to match
 * how the producer reads lines (readline, JSON.parse); every rule after that is SQL.
 */

/** One result row: window bounds and group keys as strings (null in ROLLUP subtotals), aggregates as numbers. */
export type ReferenceRow = Record<string, string | number | null>;

/** What {@link referenceResults} reads. */
export interface ReferenceInput {
  /** JSON lines in the raw transaction shape; malformed lines are skipped as the pipeline rejects them. */
  readonly rawLinesFile: string;
  /** The product dimension CSV (header row; the first row of a repeated `product_cd` wins). */
  readonly productsCsv: string;
  /** Primary keys the pipeline drops as late: left out of windowed queries, kept in continuous ones. */
  readonly latePks?: ReadonlySet<string>;
}

/** Formats a TIMESTAMP as the pipeline's zone-less ISO-8601 local date-time. */
const ISO = `'%Y-%m-%dT%H:%M:%S'`;

/**
 * The raw schema, in SQL: each column is taken only when its JSON type is right, and a row is
 * valid when every rule of the producer-facing contract holds (shared/schema/rawTransaction.ts
 * describes the same contract in JS; this is a separate reading of it).
 */
const PARSE_SQL = `
CREATE MACRO jstr(j, k) AS CASE WHEN json_type(j, '$.' || k) = 'VARCHAR' THEN j ->> ('$.' || k) END;
CREATE MACRO jnum(j, k) AS CASE WHEN json_type(j, '$.' || k) IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE') THEN TRY_CAST(j ->> ('$.' || k) AS DOUBLE) END;
CREATE MACRO absent(j, k) AS json_type(j, '$.' || k) IS NULL;
CREATE TABLE fields AS
SELECT line_no, j,
  jstr(j, 'tr_date') AS tr_date,
  COALESCE(jstr(j, 'tr_time'), CASE WHEN jnum(j, 'tr_time') = floor(jnum(j, 'tr_time')) THEN CAST(TRY_CAST(jnum(j, 'tr_time') AS BIGINT) AS VARCHAR) END) AS tr_time,
  jstr(j, 'store_cd') AS store_cd,
  jstr(j, 'store_name') AS store_name,
  jstr(j, 'pos_num') AS pos_num,
  jstr(j, 'receipt_num') AS receipt_num,
  jstr(j, 'product_cd') AS product_cd,
  jnum(j, 'qty') AS qty,
  jnum(j, 'mount') AS mount,
  jstr(j, 'tr_datetime') AS tr_datetime,
  try_strptime(replace(jstr(j, 'tr_datetime'), ' ', 'T'), '%Y-%m-%dT%H:%M:%S') AS ts,
  jstr(j, 'pk') AS pk
FROM (SELECT line_no, CAST(line AS JSON) AS j FROM lines);
CREATE TABLE valid AS
SELECT * FROM fields
WHERE regexp_full_match(tr_date, '\\d{4}-\\d{2}-\\d{2}') AND try_strptime(tr_date, '%Y-%m-%d') IS NOT NULL
  AND regexp_full_match(tr_time, '[01]?\\d|2[0-3]')
  AND regexp_full_match(store_cd, '\\d{1,10}') AND regexp_full_match(pos_num, '\\d{1,10}') AND regexp_full_match(receipt_num, '\\d{1,10}')
  AND trim(store_name) <> '' AND length(store_name) <= 64
  AND trim(product_cd) <> '' AND length(product_cd) <= 64
  AND qty = floor(qty) AND qty BETWEEN -1000 AND 1000
  AND isfinite(mount)
  AND regexp_full_match(tr_datetime, '\\d{4}-\\d{2}-\\d{2}[ T]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d') AND ts IS NOT NULL
  AND left(tr_datetime, 10) = tr_date AND hour(ts) = TRY_CAST(tr_time AS INTEGER)
  AND (absent(j, 'event_time') OR length(jstr(j, 'event_time')) <= 40)
  AND (absent(j, 'pk') OR length(pk) BETWEEN 1 AND 256);
`;

/** Enrich (inner join: an unknown product is dropped), then dedupe (first line of each primary key). */
const CLEAN_SQL = (productsCsv: string): string => `
CREATE TABLE product_rows AS
SELECT * FROM read_csv(${sqlString(productsCsv)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"');
CREATE TABLE products AS
SELECT product_cd, division_name, maincategory_name, subcategory_name FROM product_rows
WHERE trim(product_cd) <> ''
QUALIFY row_number() OVER (PARTITION BY product_cd ORDER BY rowid) = 1;
CREATE TABLE clean AS
SELECT v.store_cd, v.pos_num, v.tr_date, v.tr_time, v.receipt_num, v.mount, v.ts, p.division_name, p.maincategory_name, p.subcategory_name,
  COALESCE(v.pk, concat_ws('|', v.store_cd, v.pos_num, strftime(v.ts, ${ISO}), v.receipt_num, v.product_cd)) AS key
FROM valid v JOIN products p ON p.product_cd = v.product_cd
QUALIFY row_number() OVER (PARTITION BY key ORDER BY v.line_no) = 1;
CREATE TABLE windowed AS
SELECT * FROM clean WHERE key NOT IN (SELECT key FROM late);
`;

/** One hand-written statement per query; each returns its columns in interface order, already typed. */
const QUERY_SQL = {
  division_totals: `
    SELECT division_name, CAST(COUNT(*) AS INTEGER) AS cnt_of_sales, CAST(SUM(mount) AS DOUBLE) AS sum_of_sales
    FROM clean GROUP BY division_name ORDER BY division_name`,
  sales_kpi: `
    SELECT strftime(MAX(ts), ${ISO}) AS last_tr_datetime,
      CAST(COUNT(DISTINCT concat_ws('|', store_cd, pos_num, tr_date, receipt_num)) AS INTEGER) AS visitors,
      CAST(SUM(mount) AS DOUBLE) AS sum_of_sales
    FROM clean HAVING COUNT(*) > 0`,
  hourly_sales: `
    SELECT strftime(ws, ${ISO}) AS window_start, strftime(ws + INTERVAL 1 HOUR, ${ISO}) AS window_end, CAST(SUM(mount) AS DOUBLE) AS sum_of_mount
    FROM (SELECT date_trunc('hour', ts) AS ws, mount FROM windowed)
    GROUP BY ws ORDER BY ws`,
  daily_sales: `
    SELECT strftime(ws, ${ISO}) AS window_start, strftime(ws + INTERVAL 1 DAY, ${ISO}) AS window_end,
      CAST(COUNT(*) AS INTEGER) AS cnt_of_sales, CAST(SUM(mount) AS DOUBLE) AS sum_of_sales
    FROM (SELECT date_trunc('day', ts) AS ws, mount FROM windowed)
    GROUP BY ws ORDER BY ws`,
  hourly_division_category: `
    SELECT strftime(ws, ${ISO}) AS window_start, strftime(ws + INTERVAL 1 HOUR, ${ISO}) AS window_end,
      division_name, maincategory_name, CAST(SUM(mount) AS DOUBLE) AS sum_of_mount
    FROM (SELECT date_trunc('hour', ts) AS ws, division_name, maincategory_name, mount FROM windowed)
    GROUP BY ws, division_name, maincategory_name ORDER BY ws, division_name, maincategory_name`,
  // Window [day, day + k h) holds the records of the day's hours before k; a window is emitted
  // once it holds a record, so from the first non-empty hour on, every later step is emitted.
  cumulative_daily_sales: `
    SELECT strftime(day, ${ISO}) AS window_start, strftime(day + to_hours(k), ${ISO}) AS window_end, CAST(SUM(mount) AS DOUBLE) AS sum_of_mount
    FROM (SELECT date_trunc('day', ts) AS day, hour(ts) AS h, mount FROM windowed) AS r, range(1, 25) AS steps(k)
    WHERE k > h
    GROUP BY day, k ORDER BY day, k`,
  hourly_division_rollup: `
    SELECT strftime(ws, ${ISO}) AS window_start, strftime(ws + INTERVAL 1 HOUR, ${ISO}) AS window_end,
      division_name, CAST(SUM(mount) AS DOUBLE) AS sum_of_mount
    FROM (SELECT date_trunc('hour', ts) AS ws, division_name, mount FROM windowed)
    GROUP BY ws, ROLLUP (division_name) ORDER BY ws, division_name NULLS LAST`,
  hourly_top3_divisions: topThree(''),
  hourly_top3_divisions_ex_tobacco: topThree(`WHERE division_name NOT IN ('담배')`),
  // A record belongs to the 24 windows starting at its hour and the 23 hours before it.
  sliding_24h_sales: `
    SELECT strftime(ws, ${ISO}) AS window_start, strftime(ws + INTERVAL 24 HOUR, ${ISO}) AS window_end,
      CAST(SUM(mount) AS DOUBLE) AS sum_of_mount, CAST(AVG(mount) AS DOUBLE) AS avg_mount
    FROM (SELECT date_trunc('hour', ts) - to_hours(k) AS ws, mount FROM windowed, range(24) AS back(k))
    GROUP BY ws ORDER BY ws`,
} as const satisfies Record<QueryName, string>;

/** Window Top-N over hourly division totals; ties go to the smaller division name (binary order). */
function topThree(where: string): string {
  return `
    SELECT strftime(ws, ${ISO}) AS window_start, strftime(ws + INTERVAL 1 HOUR, ${ISO}) AS window_end,
      division_name, CAST(mount AS DOUBLE) AS mount, CAST(cnt AS INTEGER) AS cnt, CAST(rownum AS INTEGER) AS rownum
    FROM (
      SELECT *, row_number() OVER (PARTITION BY ws ORDER BY mount DESC, division_name ASC) AS rownum
      FROM (
        SELECT date_trunc('hour', ts) AS ws, division_name, SUM(mount) AS mount, COUNT(*) AS cnt
        FROM windowed ${where}
        GROUP BY ws, division_name
      )
    )
    WHERE rownum <= 3
    ORDER BY ws, rownum`;
}

/** A SQL string literal. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The lines the producer would send, as canonical JSON objects: split like readline (CR, LF or
 * CRLF), BOM stripped, blank lines skipped, and only lines `JSON.parse` accepts as an object
 * kept. Re-serializing hands DuckDB strict JSON (its parser also takes `NaN` and trailing
 * commas, which the pipeline rejects) with a repeated key resolved as JS does (last wins).
 */
function jsonObjectLines(text: string): { lineNo: number; json: string }[] {
  const out: { lineNo: number; json: string }[] = [];
  text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) out.push({ lineNo: index + 1, json: JSON.stringify(value) });
  });
  return out;
}

async function loadInputs(connection: DuckDBConnection, lines: readonly { lineNo: number; json: string }[], latePks: ReadonlySet<string>): Promise<void> {
  await connection.run('CREATE TABLE lines (line_no INTEGER, line VARCHAR); CREATE TABLE late (key VARCHAR);');
  const lineAppender = await connection.createAppender('lines');
  for (const { lineNo, json } of lines) {
    lineAppender.appendInteger(lineNo);
    lineAppender.appendVarchar(json);
    lineAppender.endRow();
  }
  lineAppender.closeSync();
  const lateAppender = await connection.createAppender('late');
  for (const pk of latePks) {
    lateAppender.appendVarchar(pk);
    lateAppender.endRow();
  }
  lateAppender.closeSync();
}

/** Narrows a DuckDB value to the row format; every query casts its columns, so anything else is a bug here. */
function toCell(value: unknown, column: string): string | number | null {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new TypeError(`reference column ${column} has an unexpected value ${String(value)}`);
}

/**
 * Computes the shipped queries over a raw input file, independently of the pipeline.
 *
 * Semantics before aggregation are the pipeline's: malformed lines (not JSON, or failing the raw
 * schema) are skipped; enrich joins the product CSV on `product_cd` and drops unknown products;
 * dedupe keeps the first line of each primary key (`pk` when the line has one, else
 * `store_cd|pos_num|tr_datetime|receipt_num|product_cd` with the date-time normalized to `T`).
 * Late keys are excluded from windowed queries only. Windows are Flink's window TVFs on
 * `tr_datetime` as a zone-less timestamp, aligned to the epoch (local hours and days).
 * @param input - the raw lines, the products CSV and the late primary keys
 * @returns the result rows of every query, in a stable order (windows, then group keys or rank)
 */
export async function referenceResults(input: ReferenceInput): Promise<Record<QueryName, ReferenceRow[]>> {
  const lines = jsonObjectLines(await readFile(input.rawLinesFile, 'utf8'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await loadInputs(connection, lines, input.latePks ?? new Set());
    await connection.run(PARSE_SQL);
    await connection.run(CLEAN_SQL(input.productsCsv));
    const results = {} as Record<QueryName, ReferenceRow[]>;
    for (const [name, sql] of Object.entries(QUERY_SQL) as [QueryName, string][]) {
      const reader = await connection.runAndReadAll(sql);
      results[name] = reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [column, toCell(value, column)])));
    }
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The reference results of test input lines (raw JSON lines, malformed ones included), written
 * to a temporary file first, with the products of `data/products.csv`.
 */
export async function referenceOfLines(lines: readonly string[], latePks?: ReadonlySet<string>): Promise<Record<QueryName, ReferenceRow[]>> {
  const file = join(mkdtempSync(join(tmpdir(), 'eddy-reference-')), 'input.jsonl');
  writeFileSync(file, lines.join('\n'));
  return referenceResults({ rawLinesFile: file, productsCsv: 'data/products.csv', ...(latePks === undefined ? {} : { latePks }) });
}

/**
 * Runs SQL over the clean records of test input lines, as the view `transaction_order` (the
 * columns `tr_date`, `tr_time`, `mount`, `division_name`, `maincategory_name`,
 * `subcategory_name` among them): what the raw lake should answer, computed from the input.
 */
export async function referenceLakeQueries(lines: readonly string[], sqls: readonly string[]): Promise<ReferenceRow[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await loadInputs(connection, jsonObjectLines(lines.join('\n')), new Set());
    await connection.run(PARSE_SQL);
    await connection.run(CLEAN_SQL('data/products.csv'));
    await connection.run('CREATE VIEW transaction_order AS SELECT * FROM clean');
    const results: ReferenceRow[][] = [];
    for (const sql of sqls) {
      const reader = await connection.runAndReadAll(sql);
      results.push(reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [column, toCell(value, column)]))));
    }
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
