import { AGGREGATE_FUNCTIONS, COLUMN_TYPES, type Aggregate, type Literal, type Predicate, type QueryDefinition, type Window } from './definition.js';
import { msToInterval, toInterval } from './duration.js';

/** The name of the clean stream's table in the rendered SQL. */
export const SOURCE_TABLE = 'clean';

const WINDOW_TVFS = {
  none: () => SOURCE_TABLE,
  tumble: (w: Extract<Window, { kind: 'tumble' }>) => tvf('TUMBLE', [toInterval(w.size)]),
  hop: (w: Extract<Window, { kind: 'hop' }>) => tvf('HOP', [toInterval(w.slide), toInterval(w.size)]),
  cumulate: (w: Extract<Window, { kind: 'cumulate' }>) => tvf('CUMULATE', [toInterval(w.step), toInterval(w.size)]),
} as const;

/**
 * Renders a query definition as the Flink SQL it stands for: a window table-valued function
 * (`TABLE(TUMBLE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR))`), a GROUP BY on
 * `window_start, window_end` and the keys (with `ROLLUP`), `WHERE`, `HAVING`, and the Window
 * Top-N subquery with `ROW_NUMBER()`. The watermark is stated in a leading comment because it
 * belongs to the source table's DDL, not to the query. Used for documentation and tests; eddy
 * does not run Flink.
 *
 * @param definition - A validated query.
 */
export function toFlinkSql(definition: QueryDefinition): string {
  const { window, groupBy, aggregates, filter, having, topN } = definition;
  const windowColumns = window.kind === 'none' ? [] : ['window_start', 'window_end'];
  const select = [...windowColumns, ...groupBy, ...aggregates.map((agg) => `${aggregateExpression(agg)} AS ${agg.name}`)];
  const keys = definition.rollup ? [`ROLLUP (${groupBy.join(', ')})`] : groupBy;
  const grouping = [...windowColumns, ...keys];
  const expressions = new Map(aggregates.map((agg) => [agg.name, aggregateExpression(agg)]));
  const lines = [
    `SELECT ${select.join(', ')}`,
    `FROM ${renderSource(window)}`,
    ...(filter ? [`WHERE ${renderPredicate(filter, (field) => field)}`] : []),
    ...(grouping.length > 0 ? [`GROUP BY ${grouping.join(', ')}`] : []),
    ...(having ? [`HAVING ${renderPredicate(having, (field) => expressions.get(field) ?? field)}`] : []),
  ];
  const watermark = `-- source ${SOURCE_TABLE}: WATERMARK FOR ${definition.watermark.timeColumn} AS ${definition.watermark.timeColumn} - ${msToInterval(definition.watermark.outOfOrdernessMs)}`;
  if (!topN) return [watermark, ...lines].join('\n');
  return [
    watermark,
    'SELECT *',
    'FROM (',
    `  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY ${topN.orderBy} DESC) AS ${topN.rowNumberName}`,
    '  FROM (',
    ...lines.map((line) => `    ${line}`),
    '  )',
    ')',
    `WHERE ${topN.rowNumberName} <= ${topN.n}`,
  ].join('\n');
}

/** The SQL expression of one aggregate, e.g. `SUM(mount)` or `COUNT(*)`. */
export function aggregateExpression(aggregate: Aggregate): string {
  const fn = AGGREGATE_FUNCTIONS[aggregate.fn];
  if (aggregate.fn === 'count_distinct') {
    const fields = aggregate.fields ?? [];
    // Several columns count as one composite value; CONCAT_WS needs strings.
    const parts = fields.map((field) => (COLUMN_TYPES[field] === 'string' ? field : `CAST(${field} AS STRING)`));
    return `${fn}(DISTINCT ${parts.length === 1 ? parts[0] : `CONCAT_WS('|', ${parts.join(', ')})`})`;
  }
  return `${fn}(${aggregate.field ?? '*'})`;
}

function renderSource(window: Window): string {
  const render = WINDOW_TVFS[window.kind] as (w: Window) => string;
  return render(window);
}

function tvf(name: string, intervals: readonly string[]): string {
  return `TABLE(${name}(TABLE ${SOURCE_TABLE}, DESCRIPTOR(tr_datetime), ${intervals.join(', ')}))`;
}

function renderPredicate<F extends string>(predicate: Predicate<F>, field: (name: F) => string): string {
  if ('all' in predicate) return predicate.all.map((part) => `(${renderPredicate(part, field)})`).join(' AND ');
  if ('any' in predicate) return predicate.any.map((part) => `(${renderPredicate(part, field)})`).join(' OR ');
  if ('in' in predicate) return `${field(predicate.field)} IN (${predicate.in.map(literal).join(', ')})`;
  if ('notIn' in predicate) return `${field(predicate.field)} NOT IN (${predicate.notIn.map(literal).join(', ')})`;
  return `${field(predicate.field)} ${predicate.op} ${literal(predicate.value)}`;
}

function literal(value: Literal): string {
  return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
}
