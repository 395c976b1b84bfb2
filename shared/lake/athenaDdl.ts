/**
 * The Athena DDL of the data bucket: one `CREATE EXTERNAL TABLE` per thing `layout.ts` lays out
 * (the raw records, the error output, each query's results), read with the OpenX JSON SerDe and
 * partitioned with partition projection, so a new hour or day is queryable as soon as its first
 * object lands: no `MSCK REPAIR TABLE`, no Glue crawler. Pure text generation, no AWS calls.
 */
import { ERROR_REASONS } from '../errorReasons.js';
import { COLUMN_TYPES, type Column, type QueryDefinition } from '../queries/definition.js';
import { DAILY_PARTITIONS, ERROR_PREFIX, HOURLY_PARTITIONS, PROJECTION_FIRST_YEAR, RAW_PREFIX, SUMMARY_PREFIX, TRANSACTION_ORDER_COLUMNS } from './layout.js';

/** The SerDe every table reads with: one JSON document per line, unknown keys ignored, keys matched case-insensitively. */
export const JSON_SERDE = 'org.openx.data.jsonserde.JsonSerDe';

/** The database the statements create and qualify every table with, unless told otherwise. */
export const DEFAULT_DATABASE = 'eddy';

/** The table of the raw records (the original hands-on's table name). */
export const TRANSACTION_ORDER_TABLE = 'transaction_order';

/** The table of every stage's error output. */
export const TRANSACTION_ERRORS_TABLE = 'transaction_errors';

/** The partition column holding an error document's folder, the Firehose-style error-output-type. */
export const ERROR_OUTPUT_TYPE_PARTITION = 'error_output_type';

/** One column of a table: its name and Athena (Hive DDL) type. */
export interface AthenaColumn {
  readonly name: string;
  readonly type: string;
}

/** A table as `CREATE EXTERNAL TABLE` declares it. */
export interface AthenaTable {
  readonly name: string;
  readonly columns: readonly AthenaColumn[];
  /** Partition columns, in the order their folders nest. */
  readonly partitions: readonly AthenaColumn[];
  /** `s3://bucket/prefix/`, the root every partition lies under. */
  readonly location: string;
  /** TBLPROPERTIES: partition projection and the location template, in order. */
  readonly properties: readonly (readonly [string, string])[];
}

/** Options of {@link athenaTables}. */
export interface AthenaDdlOptions {
  /** The data bucket. */
  readonly bucket: string;
  /** The last year partition projection covers (the first is {@link PROJECTION_FIRST_YEAR}). */
  readonly lastYear: number;
  /** The queries to declare a results table for. */
  readonly queries: readonly QueryDefinition[];
}

// The two numbers of the 19 columns; the rest (times included, which are local date-time text) are strings.
const TRANSACTION_TYPES: Partial<Record<(typeof TRANSACTION_ORDER_COLUMNS)[number], string>> = { qty: 'int', mount: 'double' };

/** Athena's type of each aggregate's result, as `toRows` finishes it. */
const AGGREGATE_TYPES: Record<QueryDefinition['aggregates'][number]['fn'], (field: Column | undefined) => string> = {
  count: () => 'bigint',
  count_distinct: () => 'bigint',
  sum: () => 'double',
  avg: () => 'double',
  // MAX/MIN of tr_datetime is a local date-time string (`formatLocal`); of a number, a number.
  max: (field) => (field !== undefined && COLUMN_TYPES[field] === 'timestamp' ? 'string' : 'double'),
  min: (field) => (field !== undefined && COLUMN_TYPES[field] === 'timestamp' ? 'string' : 'double'),
};

const text = (name: string): AthenaColumn => ({ name, type: 'string' });

/** `projection.<column>.*` of a zero-padded integer partition (month, day, hour). */
const padded = (column: string, from: number, to: number): [string, string][] => [
  [`projection.${column}.type`, 'integer'],
  [`projection.${column}.range`, `${from},${to}`],
  [`projection.${column}.digits`, '2'],
];

/** Projection of the Hive time partitions, year first, down to the day or the hour. */
function timeProjection(partitions: readonly string[], lastYear: number): [string, string][] {
  const ranges: Record<string, [number, number]> = { month: [1, 12], day: [1, 31], hour: [0, 23] };
  return partitions.flatMap((column) =>
    column === 'year'
      ? ([
          ['projection.year.type', 'integer'],
          ['projection.year.range', `${PROJECTION_FIRST_YEAR},${lastYear}`],
        ] as [string, string][])
      : padded(column, ...(ranges[column] as [number, number])),
  );
}

const hivePath = (partitions: readonly string[]): string => partitions.map((column) => `${column}=\${${column}}/`).join('');

/**
 * The columns of a query's result rows as the aggregate stage publishes them: window bounds
 * (windowed queries), group keys (always text: a key is the string of its value, null where
 * rolled up), aggregates, the Top-N rank, then `query`, `revision` and `pk`.
 * @param query - the query definition
 */
export function queryColumns(query: QueryDefinition): AthenaColumn[] {
  return [
    ...(query.window.kind === 'none' ? [] : [text('window_start'), text('window_end')]),
    ...query.groupBy.map(text),
    ...query.aggregates.map((aggregate) => ({ name: aggregate.name, type: AGGREGATE_TYPES[aggregate.fn](aggregate.field) })),
    ...(query.topN === undefined ? [] : [{ name: query.topN.rowNumberName, type: 'int' }]),
    text('query'),
    { name: 'revision', type: 'bigint' },
    text('pk'),
  ];
}

/**
 * `transaction_order`: the raw records (the clean stream's enriched transactions) under
 * {@link RAW_PREFIX}, hourly partitions by event time.
 * @param options - the bucket and the last projected year
 */
export function transactionOrderTable(options: Pick<AthenaDdlOptions, 'bucket' | 'lastYear'>): AthenaTable {
  const location = `s3://${options.bucket}/${RAW_PREFIX}`;
  return {
    name: TRANSACTION_ORDER_TABLE,
    columns: [...TRANSACTION_ORDER_COLUMNS.map((name) => ({ name, type: TRANSACTION_TYPES[name] ?? 'string' })), text('pk')],
    partitions: HOURLY_PARTITIONS.map((name) => ({ name, type: 'int' })),
    location,
    properties: [['projection.enabled', 'true'], ...timeProjection(HOURLY_PARTITIONS, options.lastYear), ['storage.location.template', `${location}${hivePath(HOURLY_PARTITIONS)}`]],
  };
}

/**
 * `transaction_errors`: every stage's error documents under {@link ERROR_PREFIX}, hourly by
 * arrival time (UTC). The error-output-type folder below the hour is not Hive-style
 * (`malformed/`, not `error_output_type=malformed/`), which only partition projection can map:
 * it is an `enum` partition over the output types of `ERROR_REASONS`, so a query may leave it
 * out (an `injected` partition would make every query name one).
 * @param options - the bucket and the last projected year
 */
export function transactionErrorsTable(options: Pick<AthenaDdlOptions, 'bucket' | 'lastYear'>): AthenaTable {
  const location = `s3://${options.bucket}/${ERROR_PREFIX}`;
  const outputTypes = [...new Set(Object.values(ERROR_REASONS))];
  return {
    name: TRANSACTION_ERRORS_TABLE,
    columns: [
      text('stage'),
      text('errorCode'),
      text('errorOutputType'),
      text('errorMessage'),
      { name: 'source', type: 'struct<stream:string,shard:string,seq:string,sub:int>' },
      text('partitionKey'),
      { name: 'arrivalTimestamp', type: 'bigint' },
      text('rawData'),
    ],
    partitions: [...HOURLY_PARTITIONS.map((name) => ({ name, type: 'int' })), text(ERROR_OUTPUT_TYPE_PARTITION)],
    location,
    properties: [
      ['projection.enabled', 'true'],
      ...timeProjection(HOURLY_PARTITIONS, options.lastYear),
      [`projection.${ERROR_OUTPUT_TYPE_PARTITION}.type`, 'enum'],
      [`projection.${ERROR_OUTPUT_TYPE_PARTITION}.values`, outputTypes.join(',')],
      ['storage.location.template', `${location}${hivePath(HOURLY_PARTITIONS)}\${${ERROR_OUTPUT_TYPE_PARTITION}}/`],
    ],
  };
}

/**
 * A query's results table, named after the query, under `SUMMARY_PREFIX<query>/`, daily: by
 * `window_start` for a windowed query, by the day the rows were written for a continuous one.
 * @param query - the query definition
 * @param options - the bucket and the last projected year
 */
export function queryTable(query: QueryDefinition, options: Pick<AthenaDdlOptions, 'bucket' | 'lastYear'>): AthenaTable {
  const location = `s3://${options.bucket}/${SUMMARY_PREFIX}${query.name}/`;
  return {
    name: query.name,
    columns: queryColumns(query),
    partitions: DAILY_PARTITIONS.map((name) => ({ name, type: 'int' })),
    location,
    properties: [['projection.enabled', 'true'], ...timeProjection(DAILY_PARTITIONS, options.lastYear), ['storage.location.template', `${location}${hivePath(DAILY_PARTITIONS)}`]],
  };
}

/**
 * Every table of the bucket: raw records, errors, then one per query in the order given.
 * @param options - the bucket, the last projected year and the queries
 */
export function athenaTables(options: AthenaDdlOptions): AthenaTable[] {
  return [transactionOrderTable(options), transactionErrorsTable(options), ...options.queries.map((query) => queryTable(query, options))];
}

// Backticks let a column be named after a reserved word (`query`, `day`…); names here never hold one.
const columnList = (columns: readonly AthenaColumn[], indent: string): string => columns.map(({ name, type }) => `${indent}\`${name}\` ${type}`).join(`,\n`);

/**
 * `CREATE DATABASE IF NOT EXISTS <database>;`
 * @param database - the database name
 */
export function createDatabaseStatement(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${database};`;
}

/**
 * The `CREATE EXTERNAL TABLE IF NOT EXISTS` statement of a table, ending in `;`. Athena runs one
 * statement per query execution: run each statement on its own.
 * @param table - the table
 * @param database - the database that qualifies its name
 */
export function createTableStatement(table: AthenaTable, database: string): string {
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.${table.name} (`,
    columnList(table.columns, '  '),
    ')',
    `PARTITIONED BY (${table.partitions.map(({ name, type }) => `\`${name}\` ${type}`).join(', ')})`,
    `ROW FORMAT SERDE '${JSON_SERDE}'`,
    `LOCATION '${table.location}'`,
    'TBLPROPERTIES (',
    table.properties.map(([key, value]) => `  '${key}' = '${value}'`).join(',\n'),
    ');',
  ].join('\n');
}
