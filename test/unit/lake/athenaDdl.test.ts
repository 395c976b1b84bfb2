import { describe, expect, it } from 'vitest';
import { queries } from '../../../queries/index.js';
import { errorObjectKey } from '../../../shared/adapters/S3ErrorSink.js';
import { AGGREGATE_PARTS, compileQuery } from '../../../shared/aggregate/compile.js';
import { publishedContinuousRows, publishedWindowRows } from '../../../shared/aggregate/emit.js';
import { eventTimeOf } from '../../../shared/aggregate/eventTime.js';
import type { GroupState } from '../../../shared/aggregate/partials.js';
import { toRows } from '../../../shared/aggregate/rows.js';
import { ERROR_REASONS } from '../../../shared/errorReasons.js';
import { athenaTables, createDatabaseStatement, createTableStatement, queryColumns, JSON_SERDE } from '../../../shared/lake/athenaDdl.js';
import { partitionPath, PROJECTION_FIRST_YEAR, TRANSACTION_ORDER_COLUMNS } from '../../../shared/lake/layout.js';
import type { ErrorDocument } from '../../../shared/ports/ErrorSink.js';
import type { QueryDefinition } from '../../../shared/queries/index.js';

const BUCKET = 'eddy-test-data';
const QUERIES = Object.values(queries) as QueryDefinition[];
const statements = new Map(athenaTables({ bucket: BUCKET, lastYear: 2030, queries: QUERIES }).map((table) => [table.name, createTableStatement(table, 'eddy')]));

interface ParsedTable {
  readonly name: string;
  readonly columns: readonly { name: string; type: string }[];
  readonly partitions: readonly { name: string; type: string }[];
  readonly serde: string;
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
}

/** The statement with single-quoted literals blanked (same length), leaving the parentheses that are syntax. */
const outsideQuotes = (sql: string): string => sql.replace(/'[^']*'/g, (literal) => `'${' '.repeat(literal.length - 2)}'`);

/** The text inside the parentheses opening at `open`, checking they close. */
function enclosed(sql: string, open: number): string {
  let depth = 0;
  const bare = outsideQuotes(sql);
  for (let i = open; i < sql.length; i += 1) {
    if (bare[i] === '(') depth += 1;
    if (bare[i] === ')' && (depth -= 1) === 0) return sql.slice(open + 1, i);
  }
  throw new Error(`unclosed parenthesis at ${open}`);
}

const columnsOf = (list: string): { name: string; type: string }[] =>
  list.split(/,(?![^<]*>)/).map((entry) => {
    const match = /^\s*`(\w+)` (\S+)\s*$/.exec(entry);
    if (!match) throw new Error(`not a column: '${entry}'`);
    return { name: match[1] as string, type: match[2] as string };
  });

/** Parses a `CREATE EXTERNAL TABLE` statement as this generator writes it, checking its structure. */
function parse(sql: string): ParsedTable {
  const head = /^CREATE EXTERNAL TABLE IF NOT EXISTS eddy\.(\w+) \(/.exec(sql);
  expect(head, sql).not.toBeNull();
  const bare = outsideQuotes(sql);
  expect([...bare].filter((c) => c === '(').length).toBe([...bare].filter((c) => c === ')').length);
  expect(sql.endsWith(');')).toBe(true);
  const columns = enclosed(sql, sql.indexOf('('));
  const partitionsAt = sql.indexOf('PARTITIONED BY (');
  const propertiesAt = sql.indexOf('TBLPROPERTIES (');
  const properties = Object.fromEntries(
    enclosed(sql, propertiesAt + 'TBLPROPERTIES '.length)
      .split(',\n')
      .map((line) => {
        const match = /^'([^']+)' = '([^']*)'$/.exec(line.trim());
        if (!match) throw new Error(`not a property: '${line}'`);
        return [match[1], match[2]];
      }),
  ) as Record<string, string>;
  return {
    name: (head as RegExpExecArray)[1] as string,
    columns: columnsOf(columns),
    partitions: columnsOf(enclosed(sql, partitionsAt + 'PARTITIONED BY '.length)),
    serde: /ROW FORMAT SERDE '([^']+)'/.exec(sql)?.[1] ?? '',
    location: /LOCATION '([^']+)'/.exec(sql)?.[1] ?? '',
    properties,
  };
}

/** The storage location template with each projected partition set as projection formats it. */
function expand(table: ParsedTable, values: Readonly<Record<string, number | string>>): string {
  return table.properties['storage.location.template']?.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const digits = Number(table.properties[`projection.${name}.digits`] ?? 0);
    return String(values[name]).padStart(digits, '0');
  }) as string;
}

/** Checks what makes projection work: every partition projected within range, and placed by the template under LOCATION. */
function expectConsistentProjection(table: ParsedTable): void {
  expect(table.properties['projection.enabled']).toBe('true');
  const template = table.properties['storage.location.template'] as string;
  expect(template.startsWith(table.location)).toBe(true);
  expect([...template.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1])).toEqual(table.partitions.map((partition) => partition.name));
  for (const { name, type } of table.partitions) {
    expect(table.properties[`projection.${name}.type`], name).toBe(type === 'int' ? 'integer' : 'enum');
    if (type === 'int') expect(table.properties[`projection.${name}.range`], name).toMatch(/^\d+,\d+$/);
  }
  expect(table.properties['projection.year.range']).toBe(`${PROJECTION_FIRST_YEAR},2030`);
  expect(table.properties['projection.month.range']).toBe('1,12');
  expect(table.properties['projection.day.range']).toBe('1,31');
}

const DDL_TYPES: Record<string, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string' || value === null,
  bigint: (value) => Number.isInteger(value),
  int: (value) => Number.isInteger(value),
  double: (value) => typeof value === 'number' || value === null,
};

/** One group's parts for every aggregate of a query, as the state store hands them back. */
function groupsOf(query: QueryDefinition, keys: readonly (readonly (string | null)[])[]): GroupState {
  const at = eventTimeOf('2015-01-05T13:45:12') as number;
  const values: Record<string, number> = { n: 3, s: 4500, lo: at, hi: at, z: 2 };
  return new Map(
    keys.map((key) => [
      JSON.stringify(key),
      new Map(query.aggregates.flatMap((aggregate, i) => Object.keys(AGGREGATE_PARTS[aggregate.fn]).map((part) => [`${i}${part}`, values[part] as number]))),
    ]),
  );
}

describe('Lake: Athena DDL', () => {
  it('creates the database before anything else', () => {
    expect(createDatabaseStatement('eddy')).toBe('CREATE DATABASE IF NOT EXISTS eddy;');
  });

  it('declares transaction_order with the 19 columns in order, then pk, hourly by event time', () => {
    const table = parse(statements.get('transaction_order') as string);
    expect(table.columns.map((column) => column.name)).toEqual([...TRANSACTION_ORDER_COLUMNS, 'pk']);
    expect(table.columns.length).toBe(20);
    expect(Object.fromEntries(table.columns.map(({ name, type }) => [name, type]))).toMatchObject({ qty: 'int', mount: 'double', tr_datetime: 'string', pk: 'string' });
    expect(table.columns.filter((column) => column.type === 'string').length).toBe(18);
    expect(table.partitions).toEqual(['year', 'month', 'day', 'hour'].map((name) => ({ name, type: 'int' })));
    expect(table.serde).toBe(JSON_SERDE);
    expect(table.location).toBe(`s3://${BUCKET}/data/stream_data/`);
    expectConsistentProjection(table);
    expect(table.properties['projection.hour.range']).toBe('0,23');
    // The template resolves to the folder the raw writer uses for a record's event hour.
    const ms = eventTimeOf('2015-01-05T07:30:00') as number;
    expect(expand(table, { year: 2015, month: 1, day: 5, hour: 7 })).toBe(`${table.location}${partitionPath(ms, 'hour')}`);
  });

  it('declares transaction_errors over the error documents, the output-type folder as an enum partition', () => {
    const table = parse(statements.get('transaction_errors') as string);
    const document: ErrorDocument = {
      stage: 'enrich',
      errorCode: 'unknown_product',
      errorOutputType: ERROR_REASONS.unknown_product,
      errorMessage: 'no product 123',
      source: { stream: 'raw', shard: 'shardId-000000000001', seq: '4959', sub: 2 },
      partitionKey: 'pk-1',
      arrivalTimestamp: Date.UTC(2015, 0, 5, 23, 59, 59),
      rawData: 'e30=',
    };
    expect(table.columns.map((column) => column.name)).toEqual(Object.keys(document));
    expect(table.columns.find((column) => column.name === 'source')?.type).toBe('struct<stream:string,shard:string,seq:string,sub:int>');
    expect(table.columns.find((column) => column.name === 'arrivalTimestamp')?.type).toBe('bigint');
    expect(table.partitions.map((partition) => partition.name)).toEqual(['year', 'month', 'day', 'hour', 'error_output_type']);
    expectConsistentProjection(table);
    expect(table.properties['projection.error_output_type.values']?.split(',').sort()).toEqual([...new Set(Object.values(ERROR_REASONS))].sort());
    // The template resolves to the folder the error sink writes the document to.
    const key = errorObjectKey('data/stream_error_data/', document);
    expect(`s3://${BUCKET}/${key}`.startsWith(expand(table, { year: 2015, month: 1, day: 5, hour: 23, error_output_type: 'unknown-product' }))).toBe(true);
    expect(`s3://${BUCKET}/${key.slice(0, key.lastIndexOf('/') + 1)}`).toBe(expand(table, { year: 2015, month: 1, day: 5, hour: 23, error_output_type: 'unknown-product' }));
  });

  it.each(QUERIES.map((query) => [query.name, query] as const))('declares %s from its definition, daily under data/summary/<query>/', (name, query) => {
    const table = parse(statements.get(name) as string);
    const windowed = query.window.kind !== 'none';
    expect(table.columns).toEqual(queryColumns(query));
    expect(table.columns.map((column) => column.name)).toEqual([
      ...(windowed ? ['window_start', 'window_end'] : []),
      ...query.groupBy,
      ...query.aggregates.map((aggregate) => aggregate.name),
      ...(query.topN ? [query.topN.rowNumberName] : []),
      'query',
      'revision',
      'pk',
    ]);
    for (const aggregate of query.aggregates) {
      const type = table.columns.find((column) => column.name === aggregate.name)?.type;
      const expected = { count: 'bigint', count_distinct: 'bigint', sum: 'double', avg: 'double', max: aggregate.field === 'tr_datetime' ? 'string' : 'double', min: aggregate.field === 'tr_datetime' ? 'string' : 'double' }[aggregate.fn];
      expect(type, aggregate.name).toBe(expected);
    }
    expect(table.partitions.map((partition) => partition.name)).toEqual(['year', 'month', 'day']);
    expect(table.location).toBe(`s3://${BUCKET}/data/summary/${name}/`);
    expectConsistentProjection(table);
    expect(expand(table, { year: 2015, month: 1, day: 5 })).toBe(`${table.location}${partitionPath(eventTimeOf('2015-01-05T01:00:00') as number, 'day')}`);
  });

  it.each(QUERIES.map((query) => [query.name, query] as const))('declares exactly the keys and value types of a published %s row', (_, query) => {
    const compiled = compileQuery(query);
    const keys = [query.groupBy.map(() => 'Snacks'), ...(query.rollup ? [query.groupBy.map(() => null)] : [])];
    const groups = groupsOf(query, keys);
    const window = { start: eventTimeOf('2015-01-05T13:00:00') as number, end: eventTimeOf('2015-01-05T14:00:00') as number };
    const rows = compiled.windowed ? publishedWindowRows(compiled, [{ window, rows: toRows(compiled, groups, window), revision: 3 }]) : publishedContinuousRows(compiled, toRows(compiled, groups), 3);
    expect(rows.length).toBe(keys.length);
    const columns = queryColumns(query);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(columns.map((column) => column.name).sort());
      for (const { name, type } of columns) expect(DDL_TYPES[type]?.(row[name]), `${name} ${type} = ${JSON.stringify(row[name])}`).toBe(true);
    }
  });
});
