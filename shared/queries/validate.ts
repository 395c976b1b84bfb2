import { ConfigError } from '../errors.js';
import {
  AGGREGATE_FUNCTIONS,
  COLUMN_TYPES,
  COMPARISON_OPS,
  DEFAULT_OUT_OF_ORDERNESS,
  DEFAULT_DISTINCT_BUCKETS,
  MAX_DISTINCT_BUCKETS,
  type Aggregate,
  type Column,
  type Predicate,
  type QueryDefinition,
  type TopN,
  type Window,
} from './definition.js';
import { describe, parseDuration } from './duration.js';

/** Options of {@link defineQuery}. */
export interface DefineQueryOptions {
  /** Where the definition lives, prefixed to error keys. @default `queries/<name>.ts` */
  readonly source?: string;
}

type Fail = (path: string, message: string) => never;
type Row = Record<string, unknown>;

const NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;
const TOP_LEVEL_KEYS = ['name', 'description', 'watermark', 'window', 'allowedLateness', 'groupBy', 'rollup', 'aggregates', 'filter', 'having', 'topN'];
const WINDOW_KEYS = { none: ['kind'], tumble: ['kind', 'size'], hop: ['kind', 'slide', 'size'], cumulate: ['kind', 'step', 'size'] } as const;
const WINDOW_COLUMNS = ['window_start', 'window_end', 'window_time'];

/**
 * Validates a query definition and fills in its defaults. Runs when a query module loads, so a
 * bad definition stops the deploy or the local runner at once instead of producing wrong
 * results later. Every field is checked: names against the clean stream's columns, aggregate
 * functions against their argument types, window durations (a HOP slide and a CUMULATE step
 * must divide the size), Top-N against the aggregates, output names for uniqueness.
 *
 * @param input - The definition as written (see `QueryInput`).
 * @param options - Where the definition lives, for error messages.
 * @throws ConfigError whose key names the source and the field, e.g.
 * `queries/hourly_sales.ts: window.size`.
 */
export function defineQuery(input: unknown, options: DefineQueryOptions = {}): QueryDefinition {
  const named = isRow(input) && typeof input.name === 'string' && NAME_PATTERN.test(input.name) ? input.name : undefined;
  const source = options.source ?? `queries/${named ?? '<unnamed>'}.ts`;
  const fail: Fail = (path, message) => {
    throw new ConfigError(`${source}: ${path}`, message);
  };
  const root = row(input, 'query', fail);
  checkKeys(root, TOP_LEVEL_KEYS, '', fail);
  if (named === undefined) fail('name', `expected a snake_case name, got ${describe(root.name)}`);
  if (root.description !== undefined && typeof root.description !== 'string') fail('description', 'must be a string');

  const watermark = parseWatermark(root.watermark, fail);
  const window = parseWindow(root.window, fail);
  const allowedLatenessMs = parseLateness(root.allowedLateness, window, fail);
  const groupBy = list(root.groupBy ?? [], 'groupBy', fail).map((key, i) => column(key, `groupBy[${i}]`, fail));
  unique(groupBy, 'groupBy', fail);
  if (root.rollup !== undefined && typeof root.rollup !== 'boolean') fail('rollup', `expected true or false, got ${describe(root.rollup)}`);
  const rollup = root.rollup === true;
  if (rollup && groupBy.length === 0) fail('rollup', 'needs at least one groupBy key to roll up');
  const aggregates = list(root.aggregates, 'aggregates', fail).map((agg, i) => parseAggregate(agg, `aggregates[${i}]`, fail));
  if (aggregates.length === 0) fail('aggregates', 'needs at least one aggregate');

  const filter = root.filter === undefined ? undefined : parsePredicate(root.filter, 'filter', (field, path) => column(field, path, fail), fail);
  const outputs = new Set<string>([...groupBy, ...aggregates.map((agg) => agg.name)]);
  const having = root.having === undefined ? undefined : parsePredicate(root.having, 'having', (field, path) => output(field, path, outputs, fail), fail);
  const topN = root.topN === undefined ? undefined : parseTopN(root.topN, window, aggregates, fail);

  const outputNames: [string, string][] = [
    ...(window.kind === 'none' ? [] : WINDOW_COLUMNS.map((name): [string, string] => [name, 'window'])),
    ...groupBy.map((name, i): [string, string] => [name, `groupBy[${i}]`]),
    ...aggregates.map((agg, i): [string, string] => [agg.name, `aggregates[${i}].name`]),
    ...(topN ? [[topN.rowNumberName, 'topN.rowNumberName'] as [string, string]] : []),
  ];
  outputNames.forEach(([name, path], i) => {
    if (outputNames.findIndex(([other]) => other === name) !== i) fail(path, `output name '${name}' is already used`);
  });

  return {
    name: named as string,
    ...(typeof root.description === 'string' ? { description: root.description } : {}),
    watermark,
    window,
    allowedLatenessMs,
    groupBy,
    rollup,
    aggregates,
    ...(filter ? { filter } : {}),
    ...(having ? { having } : {}),
    ...(topN ? { topN } : {}),
  };
}

function parseLateness(value: unknown, window: Window, fail: Fail): number {
  if (value === undefined || value === 0 || value === '0') return 0;
  if (window.kind === 'none') fail('allowedLateness', 'applies to windowed queries only; a query without a window counts every record');
  return duration(value, 'allowedLateness', fail).ms;
}

function parseWatermark(value: unknown, fail: Fail): QueryDefinition['watermark'] {
  const input = value === undefined ? {} : row(value, 'watermark', fail);
  checkKeys(input, ['timeColumn', 'outOfOrderness'], 'watermark', fail);
  if (input.timeColumn !== undefined && input.timeColumn !== 'tr_datetime') fail('watermark.timeColumn', `must be 'tr_datetime', got ${describe(input.timeColumn)}`);
  const outOfOrderness = duration(input.outOfOrderness ?? DEFAULT_OUT_OF_ORDERNESS, 'watermark.outOfOrderness', fail);
  return { timeColumn: 'tr_datetime', outOfOrdernessMs: outOfOrderness.ms };
}

function parseWindow(value: unknown, fail: Fail): Window {
  if (value === undefined) return { kind: 'none' };
  const input = row(value, 'window', fail);
  const kind = input.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(WINDOW_KEYS, kind)) fail('window.kind', `expected one of ${Object.keys(WINDOW_KEYS).join(', ')}, got ${describe(kind)}`);
  checkKeys(input, WINDOW_KEYS[kind as keyof typeof WINDOW_KEYS], 'window', fail);
  if (kind === 'none') return { kind };
  const size = duration(input.size, 'window.size', fail);
  if (kind === 'tumble') return { kind, size };
  const part = kind === 'hop' ? 'slide' : 'step';
  const step = duration(input[part], `window.${part}`, fail);
  if (step.ms > size.ms || size.ms % step.ms !== 0) fail(`window.${part}`, `must divide window.size (${input.size as string}) evenly, got '${input[part] as string}'`);
  return kind === 'hop' ? { kind, slide: step, size } : { kind: 'cumulate', step, size };
}

function parseAggregate(value: unknown, path: string, fail: Fail): Aggregate {
  const input = row(value, path, fail);
  checkKeys(input, ['name', 'fn', 'field', 'fields', 'buckets'], path, fail);
  if (typeof input.name !== 'string' || !NAME_PATTERN.test(input.name)) fail(`${path}.name`, `expected a snake_case name, got ${describe(input.name)}`);
  const name = input.name as string;
  const fn = input.fn;
  if (typeof fn !== 'string' || !Object.hasOwn(AGGREGATE_FUNCTIONS, fn)) fail(`${path}.fn`, `expected one of ${Object.keys(AGGREGATE_FUNCTIONS).join(', ')}, got ${describe(fn)}`);
  if (fn === 'count_distinct') {
    if (input.field !== undefined) fail(`${path}.field`, "count_distinct takes 'fields' (one or more columns), not 'field'");
    const fields = list(input.fields, `${path}.fields`, fail).map((field, i) => column(field, `${path}.fields[${i}]`, fail));
    if (fields.length === 0) fail(`${path}.fields`, 'needs at least one column');
    unique(fields, `${path}.fields`, fail);
    const buckets = input.buckets ?? DEFAULT_DISTINCT_BUCKETS;
    if (typeof buckets !== 'number' || !Number.isInteger(buckets) || buckets < 1 || buckets > MAX_DISTINCT_BUCKETS) fail(`${path}.buckets`, `expected a whole number from 1 to ${MAX_DISTINCT_BUCKETS}, got ${describe(buckets)}`);
    return { name, fn, fields, buckets: buckets as number };
  }
  if (input.buckets !== undefined) fail(`${path}.buckets`, "only count_distinct takes 'buckets'");
  if (input.fields !== undefined) fail(`${path}.fields`, `only count_distinct takes 'fields'; ${String(fn)} takes 'field'`);
  if (fn === 'count') return input.field === undefined ? { name, fn } : { name, fn, field: column(input.field, `${path}.field`, fail) };
  const field = column(input.field, `${path}.field`, fail);
  if ((fn === 'sum' || fn === 'avg') && COLUMN_TYPES[field] !== 'number') fail(`${path}.field`, `${fn} needs a numeric column (qty, mount), got '${field}'`);
  return { name, fn: fn as Aggregate['fn'], field };
}

function parseTopN(value: unknown, window: Window, aggregates: readonly Aggregate[], fail: Fail): TopN {
  const input = row(value, 'topN', fail);
  checkKeys(input, ['n', 'orderBy', 'rowNumberName'], 'topN', fail);
  if (window.kind === 'none') fail('topN', 'Window Top-N needs a window (tumble, hop or cumulate)');
  if (typeof input.n !== 'number' || !Number.isSafeInteger(input.n) || input.n < 1) fail('topN.n', `expected a positive whole number, got ${describe(input.n)}`);
  if (typeof input.orderBy !== 'string' || !aggregates.some((agg) => agg.name === input.orderBy)) {
    fail('topN.orderBy', `must name an aggregate (${aggregates.map((agg) => agg.name).join(', ')}), got ${describe(input.orderBy)}`);
  }
  if (typeof input.rowNumberName !== 'string' || !NAME_PATTERN.test(input.rowNumberName)) fail('topN.rowNumberName', `expected a snake_case name, got ${describe(input.rowNumberName)}`);
  return { n: input.n as number, orderBy: input.orderBy as string, rowNumberName: input.rowNumberName as string };
}

function parsePredicate<F extends string>(value: unknown, path: string, field: (value: unknown, path: string) => F, fail: Fail): Predicate<F> {
  const input = row(value, path, fail);
  for (const combinator of ['all', 'any'] as const) {
    if (input[combinator] === undefined) continue;
    checkKeys(input, [combinator], path, fail);
    const parts = list(input[combinator], `${path}.${combinator}`, fail).map((part, i) => parsePredicate(part, `${path}.${combinator}[${i}]`, field, fail));
    if (parts.length === 0) fail(`${path}.${combinator}`, 'needs at least one predicate');
    return combinator === 'all' ? { all: parts } : { any: parts };
  }
  const name = field(input.field, `${path}.field`);
  for (const membership of ['in', 'notIn'] as const) {
    if (input[membership] === undefined) continue;
    checkKeys(input, ['field', membership], path, fail);
    const values = list(input[membership], `${path}.${membership}`, fail).map((item, i) => literal(item, `${path}.${membership}[${i}]`, fail));
    if (values.length === 0) fail(`${path}.${membership}`, 'needs at least one value');
    return membership === 'in' ? { field: name, in: values } : { field: name, notIn: values };
  }
  checkKeys(input, ['field', 'op', 'value'], path, fail);
  if (!(COMPARISON_OPS as readonly unknown[]).includes(input.op)) fail(`${path}.op`, `expected one of ${COMPARISON_OPS.join(' ')} (or use in / notIn / all / any), got ${describe(input.op)}`);
  return { field: name, op: input.op as (typeof COMPARISON_OPS)[number], value: literal(input.value, `${path}.value`, fail) };
}

function column(value: unknown, path: string, fail: Fail): Column {
  if (value === undefined) fail(path, `is required: name a column (${Object.keys(COLUMN_TYPES).join(', ')})`);
  if (typeof value !== 'string' || !Object.hasOwn(COLUMN_TYPES, value)) fail(path, `unknown column ${describe(value)}; expected one of ${Object.keys(COLUMN_TYPES).join(', ')}`);
  return value as Column;
}

function output(value: unknown, path: string, outputs: ReadonlySet<string>, fail: Fail): string {
  if (typeof value !== 'string' || !outputs.has(value)) fail(path, `must name an aggregate or group key (${[...outputs].join(', ')}), got ${describe(value)}`);
  return value as string;
}

function literal(value: unknown, path: string, fail: Fail): string | number {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  return fail(path, `expected a string or a finite number, got ${describe(value)}`);
}

function duration(value: unknown, path: string, fail: Fail): ReturnType<typeof parseDuration> {
  try {
    return parseDuration(value, path);
  } catch (error) {
    // Re-raised with the source prefix; the message already says what was wrong.
    return fail(path, error instanceof ConfigError ? error.message.slice(path.length + 2) : String(error));
  }
}

function row(value: unknown, path: string, fail: Fail): Row {
  if (!isRow(value)) fail(path, `expected an object, got ${describe(value)}`);
  return value as Row;
}

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown, path: string, fail: Fail): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
  return value as readonly unknown[];
}

function checkKeys(input: Row, allowed: readonly string[], path: string, fail: Fail): void {
  const extra = Object.keys(input).find((key) => !allowed.includes(key));
  if (extra !== undefined) fail(path === '' ? extra : `${path}.${extra}`, `unknown field; expected one of ${allowed.join(', ')}`);
}

function unique(values: readonly string[], path: string, fail: Fail): void {
  values.forEach((value, i) => {
    if (values.indexOf(value) !== i) fail(`${path}[${i}]`, `'${value}' is listed twice`);
  });
}
