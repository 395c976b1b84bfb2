import { createS3Client } from '../../shared/adapters/clients.js';
import type { ResultRow } from '../../shared/aggregate/rows.js';
import { ConfigError } from '../../shared/errors.js';
import { queryLake } from '../../shared/lake/queryLake.js';
import { queries } from '../../queries/index.js';
import { loadServerlessModel } from '../../local/loadServerlessModel.js';
import { useLocalStack } from '../../local/stack/manage.js';
import { choiceFlag, stringFlag, type Command } from '../command.js';
import { formatCsv, formatJsonLines, formatTable, RESULT_FORMATS, TABLE_NULL, type ResultFormat } from './results.js';

const FORMATTERS: Record<ResultFormat, (columns: readonly string[], rows: readonly ResultRow[]) => string> = { table: formatTable, json: formatJsonLines, csv: formatCsv };

/** The data bucket of serverless.yml for a stage. */
async function dataBucket(stage: string): Promise<string> {
  const model = await loadServerlessModel({ stage });
  const found = model.buckets.find((bucket) => bucket.logicalId === 'DataBucket');
  if (!found) throw new ConfigError('serverless.yml', `no bucket with logical id DataBucket in stage ${stage}`);
  return found.name;
}

/** `eddy query`: SQL over the data bucket with DuckDB, Athena's tables without Athena. */
export const command: Command = {
  name: 'query',
  summary: 'Run SQL over the data bucket with DuckDB: the raw records as transaction_order (the original hands-on’s Athena table), the error output as transaction_errors, and each query’s window results as a view named after it.',
  usage: 'query "<SQL>" [--format table|json|csv] [--bucket NAME] [--stage STAGE]',
  details: `Tables:
  transaction_order   the raw records: the 19 columns of the hands-on's table (qty INTEGER, mount
                      DOUBLE, the rest VARCHAR), pk, and the partitions year, month, day, hour (INTEGER)
  transaction_errors  one row per error document: stage, errorCode, errorOutputType, errorMessage,
                      source, partitionKey, arrivalTimestamp, rawData, year, month, day, hour and
                      error_output_type (the folder it is in)
  <query>             each query's window results (e.g. hourly_sales): its columns, query, revision,
                      pk, year, month, day; empty until the query writes a file

Every committed object under data/stream_data/, data/stream_error_data/ and data/summary/ is
copied to a temporary directory first (.gz objects gunzipped); keys with a segment starting
with _ or . (_SUCCESS, .in-progress/…) are not data and are skipped. A SQL error exits with
code 2 and DuckDB's message.

Formats:
  table  aligned columns, then the row count; null as ${TABLE_NULL}
  json   one JSON object per line (the format for scripts)
  csv    RFC 4180: a header row, CRLF line breaks, null as the empty field

Examples:
  eddy query "SELECT tr_date, count(*), sum(mount) FROM transaction_order GROUP BY tr_date ORDER BY tr_date"
  eddy query "SELECT error_output_type, count(*) FROM transaction_errors GROUP BY 1" --format json`,
  flags: {
    format: { type: 'string', description: 'table, json or csv', default: 'table' },
    bucket: { type: 'string', description: 'Bucket name (default: the DataBucket of serverless.yml)' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
  },
  async run(flags, positionals) {
    const sql = positionals.join(' ').trim();
    if (sql === '') throw new ConfigError('eddy query', 'give the SQL to run, e.g. eddy query "SELECT count(*) FROM transaction_order"');
    const format = choiceFlag(flags, 'format', RESULT_FORMATS) ?? 'table';
    await useLocalStack();
    const bucket = stringFlag(flags, 'bucket') ?? (await dataBucket(stringFlag(flags, 'stage') ?? 'dev'));
    const result = await queryLake(createS3Client(), bucket, sql, { queries: Object.values(queries) }).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'NoSuchBucket') throw new ConfigError('--bucket', `bucket ${bucket} does not exist: run 'eddy stack up' (or pass --bucket)`, { cause: error });
      throw error;
    });
    process.stdout.write(FORMATTERS[format](result.columns, result.rows));
    if (format === 'table') process.stdout.write(`(${result.rows.length.toLocaleString('en-US')} row${result.rows.length === 1 ? '' : 's'})\n`);
    return 0;
  },
};
