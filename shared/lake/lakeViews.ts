/**
 * The DuckDB views `eddy query` puts over a local copy of the data bucket: `transaction_order`
 * (the raw records, as the original hands-on's Athena table), `transaction_errors` (the error
 * documents) and one view per query's window results. Every view has an explicit schema, so
 * types do not depend on the data read, and an empty or missing prefix gives an empty view
 * with the same columns instead of DuckDB's "No files found".
 */
import { COLUMN_TYPES, type QueryDefinition } from '../queries/definition.js';
import { DAILY_PARTITIONS, ERROR_PREFIX, HOURLY_PARTITIONS, RAW_PREFIX, SUMMARY_PREFIX, TRANSACTION_ORDER_COLUMNS } from './layout.js';

/** A view's columns and their DuckDB types, in order (a nested type for a JSON object). */
export type Schema = ReadonlyArray<readonly [name: string, type: string]>;

/** One view over a set of local files. */
export interface LakeView {
  readonly name: string;
  /** Glob of the files, relative to the lake directory. */
  readonly glob: string;
  /** The JSON fields read; `undefined` lets DuckDB infer them (a query it does not know). */
  readonly schema?: Schema;
  /** Hive partition columns in the paths, read as integers. */
  readonly partitions: readonly string[];
  /** `read_json` format: JSON lines, or `auto` for documents that may be pretty-printed. */
  readonly format: 'newline_delimited' | 'auto';
  /** Extra computed columns, as `[name, SQL over filename]`. */
  readonly computed?: ReadonlyArray<readonly [name: string, sql: string]>;
  /** The computed columns' types, for the empty view. */
  readonly computedTypes?: Schema;
}

const TYPE_OF = { string: 'VARCHAR', number: 'DOUBLE', timestamp: 'VARCHAR' } as const;

/** The raw records' fields: the 19 columns of `transaction_order` and the primary key. */
export const TRANSACTION_ORDER_SCHEMA: Schema = [
  ...TRANSACTION_ORDER_COLUMNS.map((column) => [column, column === 'qty' ? 'INTEGER' : column === 'mount' ? 'DOUBLE' : 'VARCHAR'] as const),
  ['pk', 'VARCHAR'],
];

/** The fields of an error document (`shared/ports/ErrorSink.ts`), names as written. */
export const ERROR_DOCUMENT_SCHEMA: Schema = [
  ['stage', 'VARCHAR'],
  ['errorCode', 'VARCHAR'],
  ['errorOutputType', 'VARCHAR'],
  ['errorMessage', 'VARCHAR'],
  ['source', 'STRUCT(stream VARCHAR, shard VARCHAR, seq VARCHAR, sub INTEGER)'],
  ['partitionKey', 'VARCHAR'],
  ['arrivalTimestamp', 'BIGINT'],
  ['rawData', 'VARCHAR'],
];

/**
 * The fields of a query's result rows as the aggregate stage names them (`aggregate/rows.ts`):
 * window bounds, group keys, aggregates, Top-N rank, then the query name, revision and key.
 * @param query - the query definition
 */
export function summarySchema(query: QueryDefinition): Schema {
  const aggregateType = (aggregate: QueryDefinition['aggregates'][number]): string => {
    if (aggregate.fn === 'count' || aggregate.fn === 'count_distinct') return 'BIGINT';
    if (aggregate.fn === 'sum' || aggregate.fn === 'avg') return 'DOUBLE';
    return aggregate.field === undefined ? 'VARCHAR' : TYPE_OF[COLUMN_TYPES[aggregate.field]];
  };
  return [
    ...(query.window.kind === 'none' ? [] : ([['window_start', 'VARCHAR'], ['window_end', 'VARCHAR']] as const)),
    ...query.groupBy.map((column) => [column, TYPE_OF[COLUMN_TYPES[column]]] as const),
    ...query.aggregates.map((aggregate) => [aggregate.name, aggregateType(aggregate)] as const),
    ...(query.topN === undefined ? [] : ([[query.topN.rowNumberName, 'BIGINT']] as const)),
    ['query', 'VARCHAR'],
    ['revision', 'BIGINT'],
    ['pk', 'VARCHAR'],
  ];
}

/** The Oceanus example's rows as `eddy produce` sends them (`f_sequence` is the partition). */
const OCEANUS_SCHEMA: Schema = [
  ['f_random', 'BIGINT'],
  ['f_random_str', 'VARCHAR'],
  ['event_time', 'VARCHAR'],
  ['pk', 'VARCHAR'],
];

const partitionGlob = (partitions: readonly string[]): string => partitions.map((name) => `${name}=*`).join('/');

/**
 * The views of a lake: the raw records, the errors, and one per query, from the shipped
 * definitions and the query folders found under the summary prefix.
 * @param definitions - the known queries, whose views get their schema even with no files
 * @param foundQueries - query folder names under `data/summary/`
 */
export function lakeViews(definitions: readonly QueryDefinition[], foundQueries: readonly string[]): LakeView[] {
  const known = new Map(definitions.map((definition) => [definition.name, definition]));
  const names = [...new Set([...definitions.map((definition) => definition.name), ...foundQueries])].sort();
  return [
    { name: 'transaction_order', glob: `${RAW_PREFIX}${partitionGlob(HOURLY_PARTITIONS)}/*`, schema: TRANSACTION_ORDER_SCHEMA, partitions: HOURLY_PARTITIONS, format: 'newline_delimited' },
    {
      name: 'transaction_errors',
      glob: `${ERROR_PREFIX}${partitionGlob(HOURLY_PARTITIONS)}/*/*`,
      schema: ERROR_DOCUMENT_SCHEMA,
      partitions: HOURLY_PARTITIONS,
      format: 'auto',
      // The folder under the hour partition names the error output type.
      computed: [['error_output_type', `regexp_extract(filename, '/hour=[^/]*/([^/]+)/[^/]+$', 1)`]],
      computedTypes: [['error_output_type', 'VARCHAR']],
    },
    // The Oceanus example's sink (docs/recipes/oceanus.md), partitioned by f_sequence.
    { name: 'oceanus', glob: 'data/oceanus/f_sequence=*/*', schema: OCEANUS_SCHEMA, partitions: ['f_sequence'], format: 'newline_delimited' },
    ...names.map((name): LakeView => {
      const definition = known.get(name);
      return {
        name,
        glob: `${SUMMARY_PREFIX}${name}/${partitionGlob(DAILY_PARTITIONS)}/*`,
        ...(definition === undefined ? {} : { schema: summarySchema(definition) }),
        partitions: DAILY_PARTITIONS,
        format: 'newline_delimited',
      };
    }),
  ];
}

/** A SQL string literal. */
export const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** A SQL identifier, quoted. */
export const sqlIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * The `CREATE VIEW` of a view over files that exist.
 * @param view - the view
 * @param directory - the local lake directory
 */
export function viewOverFiles(view: LakeView, directory: string): string {
  const options = [
    `format=${sqlString(view.format)}`,
    'hive_partitioning=true',
    `hive_types={${view.partitions.map((name) => `${sqlString(name)}: 'INTEGER'`).join(', ')}}`,
    ...(view.schema === undefined ? [] : [`columns={${view.schema.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ')}}`]),
    ...(view.computed === undefined ? [] : ['filename=true']),
  ];
  const fields = view.schema === undefined ? [`* EXCLUDE (${view.partitions.map(sqlIdentifier).join(', ')})`] : view.schema.map(([name]) => sqlIdentifier(name));
  const columns = [...fields, ...view.partitions.map(sqlIdentifier), ...(view.computed ?? []).map(([name, sql]) => `${sql} AS ${sqlIdentifier(name)}`)];
  const path = `${directory.replaceAll('\\', '/').replace(/\/$/, '')}/${view.glob}`;
  return `CREATE OR REPLACE VIEW ${sqlIdentifier(view.name)} AS SELECT ${columns.join(', ')} FROM read_json(${sqlString(path)}, ${options.join(', ')})`;
}

/**
 * The `CREATE VIEW` of a view with no files: no rows, the same columns and types.
 * @param view - the view; it must have a schema
 */
export function emptyView(view: LakeView & { readonly schema: Schema }): string {
  const columns = [...view.schema, ...view.partitions.map((name) => [name, 'INTEGER'] as const), ...(view.computedTypes ?? [])];
  return `CREATE OR REPLACE VIEW ${sqlIdentifier(view.name)} AS SELECT ${columns.map(([name, type]) => `CAST(NULL AS ${type}) AS ${sqlIdentifier(name)}`).join(', ')} WHERE false`;
}
