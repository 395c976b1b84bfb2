import { createDynamoDBDocumentClient } from '../../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../../shared/adapters/DynamoDBResultStore.js';
import { eventTimeOf } from '../../shared/aggregate/eventTime.js';
import type { ResultRow } from '../../shared/aggregate/rows.js';
import { ConfigError } from '../../shared/errors.js';
import { csvField } from '../../shared/generator/csv.js';
import type { QueryDefinition } from '../../shared/queries/index.js';
import { queries, type QueryName } from '../../queries/index.js';
import { useLocalStack } from '../../local/stack/manage.js';
import { choiceFlag, stringFlag, type Command, type Flags } from '../command.js';
import { resourceName } from '../resources.js';

/** The output formats of `eddy results`. */
export const RESULT_FORMATS = ['table', 'json', 'csv'] as const;

/** An output format: aligned columns for people, JSON lines or CSV for scripts. */
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** How a null (a rolled-up group key, an empty aggregate) shows in a table; CSV leaves the field empty, JSON writes null. */
export const TABLE_NULL = '∅';

const QUERY_NAMES = Object.keys(queries) as QueryName[];
const CONTINUOUS = QUERY_NAMES.filter((name) => queries[name].window.kind === 'none');

/** Words joined into lines of at most `width` characters, each indented by `indent`. */
const wrap = (words: readonly string[], indent: string, width = 96): string =>
  words.reduce<string[]>((lines, word) => {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + word.length + 1 <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(`${indent}${word}`);
    return lines;
  }, []).join('\n');

/**
 * The columns of a query's rows in the order the aggregate stage builds them (window bounds,
 * group keys, aggregates, Top-N rank), then any other key the rows hold. The order comes from
 * the definition because DynamoDB does not keep the key order of a stored map.
 * @param query - the query definition
 * @param rows - the rows read
 */
export function columnsOf(query: QueryDefinition, rows: readonly ResultRow[]): string[] {
  const columns = [
    ...(query.window.kind === 'none' ? [] : ['window_start', 'window_end']),
    ...query.groupBy,
    ...query.aggregates.map((aggregate) => aggregate.name),
    ...(query.topN === undefined ? [] : [query.topN.rowNumberName]),
  ];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

// Hangul, CJK and full-width forms take two terminal cells; combining marks and format characters none.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}\u1160-\u11ff\ud7b0-\ud7ff]/u;

/** The terminal cells `text` takes, so columns holding Korean names still line up. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += ZERO_WIDTH.test(char) ? 0 : WIDE.test(char) ? 2 : 1;
  return width;
}

const cellText = (value: ResultRow[string] | undefined): string => {
  if (value === null || value === undefined) return TABLE_NULL;
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  // A line break or tab inside a value would break the row apart: show it escaped.
  return value.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
};

/**
 * Rows as aligned columns with a header: numbers right-aligned with thousands separators and at
 * most two decimals, nulls as {@link TABLE_NULL}.
 * @param columns - the columns, in order
 * @param rows - the rows
 */
export function formatTable(columns: readonly string[], rows: readonly ResultRow[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(row[column])));
  const numeric = columns.map((column) => rows.some((row) => typeof row[column] === 'number') && rows.every((row) => typeof row[column] === 'number' || row[column] === null || row[column] === undefined));
  const widths = columns.map((column, i) => Math.max(displayWidth(column), ...cells.map((line) => displayWidth(line[i] as string))));
  const pad = (text: string, i: number): string => {
    const fill = ' '.repeat((widths[i] as number) - displayWidth(text));
    return numeric[i] ? fill + text : text + fill;
  };
  const line = (texts: readonly string[]): string => texts.map(pad).join('  ').trimEnd();
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].map((text) => `${text}\n`).join('');
}

/**
 * Rows as JSON lines, one object per row with its keys in column order: the interface for scripts.
 * @param columns - the columns, in order
 * @param rows - the rows
 */
export function formatJsonLines(columns: readonly string[], rows: readonly ResultRow[]): string {
  return rows.map((row) => `${JSON.stringify(Object.fromEntries(columns.map((column) => [column, row[column] ?? null])))}\n`).join('');
}

/**
 * Rows as RFC 4180 CSV: a header, CRLF line breaks, fields quoted when they need it, null as the
 * empty field.
 * @param columns - the columns, in order
 * @param rows - the rows
 */
export function formatCsv(columns: readonly string[], rows: readonly ResultRow[]): string {
  return [columns.map(csvField).join(','), ...rows.map((row) => columns.map((column) => csvField(row[column])).join(','))].map((line) => `${line}\r\n`).join('');
}

const FORMATTERS: Record<ResultFormat, (columns: readonly string[], rows: readonly ResultRow[]) => string> = { table: formatTable, json: formatJsonLines, csv: formatCsv };

/** A `--from`/`--to` value on the axis windows are stored on, rounded up to a whole second (window starts are whole seconds). */
function timeFlag(flags: Flags, name: 'from' | 'to'): number | undefined {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return undefined;
  const ms = eventTimeOf(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00` : raw);
  if (ms === undefined) throw new ConfigError(`--${name}`, `expected a local date-time YYYY-MM-DDTHH:MM:SS or a date YYYY-MM-DD, got '${raw}'`);
  return Math.ceil(ms / 1000) * 1000;
}

function queryOf(positionals: readonly string[]): QueryDefinition {
  const [name, ...extra] = positionals;
  const known = `known queries: ${QUERY_NAMES.join(', ')}`;
  if (name === undefined) throw new ConfigError('eddy results', `name a query; ${known}`);
  if (extra.length > 0) throw new ConfigError('eddy results', `expected one query, got '${positionals.join(' ')}'`);
  if (!Object.hasOwn(queries, name)) throw new ConfigError('eddy results', `unknown query '${name}'; ${known}`);
  return queries[name as QueryName];
}

/** `eddy results`: a query's rows from the results table. */
export const command: Command = {
  name: 'results',
  summary: 'Print a query’s rows from the results table the aggregate stage writes: a windowed query’s windows (optionally those starting in [--from, --to)), or a continuous query’s current rows.',
  usage: 'results <query> [--from T] [--to T] [--format table|json|csv] [--table NAME] [--stage STAGE]',
  details: `Queries:
${wrap(QUERY_NAMES.map((name, i) => `${name}${i < QUERY_NAMES.length - 1 ? ',' : ''}`), '  ')}

--from and --to are local date-times as in tr_datetime (2015-01-05T01:00:00, or 2015-01-05 for
midnight) and select windows by window_start: from ≤ window_start < to. Continuous queries
(${CONTINUOUS.join(', ')}) have no windows, only their current rows: --from/--to are refused
for them rather than ignored, so a script never takes those rows for a range.

Columns come in the query's order: window_start, window_end, group keys, aggregates, rank.
  table  aligned columns, then the row count; numbers right-aligned, rounded to 2 decimals; null as ${TABLE_NULL}
  json   one JSON object per line, exact values, null as null (the format for scripts)
  csv    RFC 4180: a header row, CRLF line breaks, null as the empty field

Examples:
  eddy results hourly_top3_divisions --from 2015-01-05 --to 2015-01-06
  eddy results sales_kpi --format json | jq .visitors`,
  flags: {
    from: { type: 'string', description: 'First window start to include (YYYY-MM-DDTHH:MM:SS or YYYY-MM-DD)' },
    to: { type: 'string', description: 'Window starts before this are included (same forms)' },
    format: { type: 'string', description: 'table, json or csv', default: 'table' },
    table: { type: 'string', description: 'Table name (default: the ResultsTable of serverless.yml)' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
  },
  async run(flags, positionals) {
    const query = queryOf(positionals);
    const format = choiceFlag(flags, 'format', RESULT_FORMATS) ?? 'table';
    const from = timeFlag(flags, 'from');
    const to = timeFlag(flags, 'to');
    if (query.window.kind === 'none' && (from !== undefined || to !== undefined)) {
      throw new ConfigError(from !== undefined ? '--from' : '--to', `${query.name} is a continuous query: it has one current set of rows and no windows to select; drop --from/--to`);
    }
    if (from !== undefined && to !== undefined && to <= from) throw new ConfigError('--to', `must be later than --from, got ${stringFlag(flags, 'from')} … ${stringFlag(flags, 'to')}`);
    await useLocalStack();
    const table = stringFlag(flags, 'table') ?? (await resourceName('tables', 'ResultsTable', stringFlag(flags, 'stage') ?? 'dev'));
    const store = new DynamoDBResultStore(createDynamoDBDocumentClient(), table);
    const rows = await store.read(query.name, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new ConfigError('--table', `table ${table} does not exist: run 'eddy stack up' (or pass --table)`, { cause: error });
      }
      throw error;
    });
    process.stdout.write(FORMATTERS[format](columnsOf(query, rows), rows));
    if (format === 'table') process.stdout.write(`(${rows.length.toLocaleString('en-US')} row${rows.length === 1 ? '' : 's'})\n`);
    return 0;
  },
};
