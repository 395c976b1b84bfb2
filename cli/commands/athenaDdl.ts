import { ConfigError } from '../../shared/errors.js';
import { athenaTables, createDatabaseStatement, createTableStatement, DEFAULT_DATABASE } from '../../shared/lake/athenaDdl.js';
import { PROJECTION_FIRST_YEAR } from '../../shared/lake/layout.js';
import { queries } from '../../queries/index.js';
import { loadServerlessModel } from '../../local/loadServerlessModel.js';
import { numberFlag, stringFlag, type Command, type Flags } from '../command.js';

// S3 bucket names: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Athena database names: lowercase letters, digits and underscores. https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
const DATABASE_NAME = /^[a-z0-9_]{1,255}$/;

/** The shipped query names, as lines of at most 96 characters. */
const QUERY_LINES = Object.keys(queries)
  .reduce<string[]>((lines, name) => {
    const last = lines.length - 1;
    if (last >= 0 && `${lines[last]} ${name}`.length <= 96) lines[last] = `${lines[last]} ${name}`;
    else lines.push(`  ${name}`);
    return lines;
  }, [])
  .join('\n');

/** The data bucket: `--bucket`, else the `DataBucket` serverless.yml names for the stage (printed offline, no AWS call). */
async function bucketOf(flags: Flags): Promise<string> {
  const given = stringFlag(flags, 'bucket');
  if (given !== undefined) {
    if (!BUCKET_NAME.test(given)) throw new ConfigError('--bucket', `expected an S3 bucket name (3–63 of a-z, 0-9, '.', '-'), got '${given}'`);
    return given;
  }
  const stage = stringFlag(flags, 'stage') ?? 'dev';
  const bucket = (await loadServerlessModel({ stage })).buckets.find((resource) => resource.logicalId === 'DataBucket');
  if (!bucket) throw new ConfigError('serverless.yml', `no bucket with logical id DataBucket in stage ${stage}; pass --bucket`);
  return bucket.name;
}

function databaseOf(flags: Flags): string {
  const database = stringFlag(flags, 'database') ?? DEFAULT_DATABASE;
  if (!DATABASE_NAME.test(database)) throw new ConfigError('--database', `expected lowercase letters, digits and underscores, got '${database}'`);
  return database;
}

/** `eddy athena-ddl`: the Athena DDL of the data bucket. */
export const command: Command = {
  name: 'athena-ddl',
  summary: 'Print the Athena DDL of the data bucket: CREATE EXTERNAL TABLE statements for the raw records, the error output and each query’s results, with partition projection so no MSCK REPAIR is ever needed.',
  usage: 'athena-ddl [--bucket NAME] [--database NAME] [--stage STAGE] [--last-year YYYY] [--table NAME]',
  details: `Tables (JSON lines read with the OpenX JSON SerDe):
  transaction_order   the raw records: the 19 columns and pk, by event hour (year, month, day, hour)
  transaction_errors  every stage's error documents, by arrival hour (UTC), and error_output_type
                      (malformed, schema-violation, …: an enum partition, the folder below the hour)
  <query>             one per shipped query: window_start, window_end, group keys, aggregates,
                      rank, query, revision, pk; by day of window_start, or for a continuous
                      query (no window) by the day its rows were written

Query tables:
${QUERY_LINES}

Partitions are projected from ${PROJECTION_FIRST_YEAR} to --last-year: a new hour is queryable as soon as its
first object lands. Athena runs one statement per query: run each statement (each ends in ;)
on its own, CREATE DATABASE first. Nothing is sent to AWS: the bucket comes from serverless.yml.

Examples:
  eddy athena-ddl --stage prod > eddy.sql
  eddy athena-ddl --bucket my-bucket --table hourly_sales`,
  flags: {
    bucket: { type: 'string', description: 'Data bucket (default: the DataBucket of serverless.yml for --stage)' },
    database: { type: 'string', description: 'Athena database, created first', default: DEFAULT_DATABASE },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
    'last-year': { type: 'string', description: 'Last year partition projection covers (default: next year)' },
    table: { type: 'string', description: 'Print only this table (no CREATE DATABASE)' },
  },
  async run(flags) {
    const database = databaseOf(flags);
    const lastYear = numberFlag(flags, 'last-year', { min: PROJECTION_FIRST_YEAR, max: 9999, integer: true }) ?? new Date().getUTCFullYear() + 1;
    const only = stringFlag(flags, 'table');
    // The table names do not depend on the bucket: refuse an unknown --table before reading serverless.yml.
    const names = athenaTables({ bucket: 'bucket', lastYear, queries: Object.values(queries) }).map((table) => table.name);
    if (only !== undefined && !names.includes(only)) throw new ConfigError('--table', `unknown table '${only}'; known tables: ${names.join(', ')}`);
    const tables = athenaTables({ bucket: await bucketOf(flags), lastYear, queries: Object.values(queries) });
    const statements = [
      ...(only === undefined ? [createDatabaseStatement(database)] : []),
      ...tables.filter((table) => only === undefined || table.name === only).map((table) => createTableStatement(table, database)),
    ];
    process.stdout.write(`${statements.join('\n\n')}\n`);
    return 0;
  },
};
