/**
 * Where things land in the data bucket: the layout the S3 writer writes, `eddy athena-ddl`
 * declares to Athena and Glue, and `eddy query` reads. Defaults reproduce the original
 * hands-on's Firehose prefixes, with Hive-style partitions as Athena reads them.
 */
import { RAW_COLUMNS, PRODUCT_COLUMNS } from '../types.js';

/** Raw records (the clean stream), by event time: `data/stream_data/year=YYYY/month=MM/day=DD/hour=HH/`. */
export const RAW_PREFIX = 'data/stream_data/';

/** Every stage's error output: `data/stream_error_data/year=…/month=…/day=…/hour=…/<error-output-type>/`. */
export const ERROR_PREFIX = 'data/stream_error_data/';

/** One query's window results: `data/summary/<query>/year=YYYY/month=MM/day=DD/` by `window_start`. */
export const SUMMARY_PREFIX = 'data/summary/';

/** The Hive partition columns of the raw records and the error output, in path order (ints in Athena). */
export const HOURLY_PARTITIONS = ['year', 'month', 'day', 'hour'] as const;

/** The Hive partition columns of the query results, in path order. */
export const DAILY_PARTITIONS = ['year', 'month', 'day'] as const;

/**
 * The 19 columns of the original Athena table `transaction_order`, in the order the hands-on's
 * records carried them (`../shared/data/sample_stream_records.jsonl`).
 */
export const TRANSACTION_ORDER_COLUMNS = [
  ...RAW_COLUMNS.filter((column) => column !== 'tr_datetime'),
  ...PRODUCT_COLUMNS,
  'tr_datetime',
  'event_time',
] as const;

/** The first year partition projection covers (the scenario starts in 2015). */
export const PROJECTION_FIRST_YEAR = 2015;

/**
 * The Hive partition path of a time, to the hour or the day:
 * `year=2015/month=01/day=05/hour=13/`.
 * @param ms - milliseconds on the zone-less axis of `aggregate/eventTime.ts`
 */
export function partitionPath(ms: number, depth: 'hour' | 'day'): string {
  const iso = new Date(ms).toISOString();
  const parts = [`year=${iso.slice(0, 4)}`, `month=${iso.slice(5, 7)}`, `day=${iso.slice(8, 10)}`, ...(depth === 'hour' ? [`hour=${iso.slice(11, 13)}`] : [])];
  return `${parts.join('/')}/`;
}
