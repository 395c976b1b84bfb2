import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import { defineQuery, toFlinkSql, type QueryInput } from '../../../shared/queries/index.js';

const valid = {
  name: 'hourly_sales',
  window: { kind: 'tumble', size: '1 h' },
  aggregates: [{ name: 'sum_of_mount', fn: 'sum', field: 'mount' }],
} as const satisfies QueryInput;

/** The error `defineQuery` throws for `input`, which the test expects to be a ConfigError. */
function errorOf(input: unknown): ConfigError {
  try {
    defineQuery(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected defineQuery to throw');
}

describe('Queries: defineQuery', () => {
  it('fills in the defaults', () => {
    const query = defineQuery({ name: 'totals', aggregates: [{ name: 'cnt', fn: 'count' }] });
    expect(query).toEqual({
      name: 'totals',
      watermark: { timeColumn: 'tr_datetime', outOfOrdernessMs: 5_000 },
      window: { kind: 'none' },
      allowedLatenessMs: 0,
      groupBy: [],
      rollup: false,
      aggregates: [{ name: 'cnt', fn: 'count' }],
    });
  });

  it('takes an allowed lateness for windowed queries only', () => {
    expect(defineQuery({ ...valid, window: { kind: 'tumble', size: '1 h' }, allowedLateness: '10 min' }).allowedLatenessMs).toBe(600_000);
    expect(() => defineQuery({ ...valid, window: { kind: 'none' }, allowedLateness: '10 min' })).toThrow(/allowedLateness: applies to windowed queries only/);
    expect(() => defineQuery({ ...valid, window: { kind: 'tumble', size: '1 h' }, allowedLateness: 'soon' })).toThrow(/allowedLateness/);
  });

  it('takes distinct-value buckets on count_distinct only', () => {
    const distinct = { name: 'visitors', fn: 'count_distinct', fields: ['receipt_num'] };
    expect(defineQuery({ ...valid, aggregates: [distinct] }).aggregates[0]).toEqual({ ...distinct, buckets: 1 });
    expect(defineQuery({ ...valid, aggregates: [{ ...distinct, buckets: 8 }] }).aggregates[0]?.buckets).toBe(8);
    expect(() => defineQuery({ ...valid, aggregates: [{ ...distinct, buckets: 0 }] })).toThrow(/aggregates\[0\]\.buckets: expected a whole number from 1 to 64/);
    expect(() => defineQuery({ ...valid, aggregates: [{ name: 'n', fn: 'count', buckets: 2 }] })).toThrow(/only count_distinct takes 'buckets'/);
  });

  it('accepts a custom watermark, HAVING and nested filters', () => {
    const query = defineQuery({
      ...valid,
      watermark: { outOfOrderness: '30 s' },
      groupBy: ['store_cd'],
      filter: { all: [{ field: 'qty', op: '>', value: 0 }, { any: [{ field: 'is_pb', in: ['Y'] }, { field: 'mount', op: '>=', value: 1000 }] }] },
      having: { field: 'sum_of_mount', op: '>', value: 10_000 },
    });
    expect(query.watermark.outOfOrdernessMs).toBe(30_000);
    const sql = toFlinkSql(query);
    expect(sql).toContain("WHERE (qty > 0) AND ((is_pb IN ('Y')) OR (mount >= 1000))");
    expect(sql).toContain('HAVING SUM(mount) > 10000');
    expect(sql).toContain("INTERVAL '30' SECOND");
  });

  it('names the source file and the field in the key', () => {
    const error = errorOf({ ...valid, window: { kind: 'tumble', size: 'an hour' } });
    expect(error.key).toBe('queries/hourly_sales.ts: window.size');
    expect(error.message).toMatch(/^queries\/hourly_sales\.ts: window\.size: expected a duration/);
  });

  it('uses the source it is given', () => {
    expect(() => defineQuery({ ...valid, window: { kind: 'tumble' } }, { source: 'custom.json' })).toThrow(/^custom\.json: window\.size: /);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a non-object', 'hourly_sales', 'query', /expected an object/],
    ['a missing name', { ...valid, name: undefined }, 'name', /snake_case name/],
    ['a name that is not snake_case', { ...valid, name: 'Hourly-Sales' }, 'name', /snake_case/],
    ['a misspelt top-level field', { ...valid, windw: { kind: 'none' } }, 'windw', /unknown field/],
    ['an unknown window kind', { ...valid, window: { kind: 'session', size: '1 h' } }, 'window.kind', /tumble, hop, cumulate/],
    ['a bad duration', { ...valid, window: { kind: 'tumble', size: '1 hour' } }, 'window.size', /'1 hour'/],
    ['a HOP slide that does not divide the size', { ...valid, window: { kind: 'hop', slide: '7 h', size: '24 h' } }, 'window.slide', /divide window.size/],
    ['a HOP slide larger than the size', { ...valid, window: { kind: 'hop', slide: '2 d', size: '24 h' } }, 'window.slide', /divide/],
    ['a CUMULATE step that does not divide the size', { ...valid, window: { kind: 'cumulate', step: '5 h', size: '24 h' } }, 'window.step', /divide/],
    ['a CUMULATE written with slide', { ...valid, window: { kind: 'cumulate', slide: '1 h', size: '24 h' } }, 'window.slide', /unknown field/],
    ['an unknown group key', { ...valid, groupBy: ['division'] }, 'groupBy[0]', /unknown column 'division'/],
    ['a repeated group key', { ...valid, groupBy: ['store_cd', 'store_cd'] }, 'groupBy[1]', /listed twice/],
    ['ROLLUP without keys', { ...valid, rollup: true }, 'rollup', /at least one groupBy/],
    ['no aggregates', { ...valid, aggregates: [] }, 'aggregates', /at least one/],
    ['an unknown aggregate function', { ...valid, aggregates: [{ name: 'x', fn: 'median', field: 'mount' }] }, 'aggregates[0].fn', /count, sum, min, max, avg, count_distinct/],
    ['an unknown aggregate field', { ...valid, aggregates: [{ name: 'x', fn: 'max', field: 'amount' }] }, 'aggregates[0].field', /unknown column 'amount'/],
    ['SUM of a string column', { ...valid, aggregates: [{ name: 'x', fn: 'sum', field: 'store_cd' }] }, 'aggregates[0].field', /numeric column/],
    ['AVG without a field', { ...valid, aggregates: [{ name: 'x', fn: 'avg' }] }, 'aggregates[0].field', /is required: name a column/],
    ['COUNT DISTINCT without fields', { ...valid, aggregates: [{ name: 'x', fn: 'count_distinct', fields: [] }] }, 'aggregates[0].fields', /at least one/],
    ['COUNT DISTINCT with an unknown field', { ...valid, aggregates: [{ name: 'x', fn: 'count_distinct', fields: ['store_cd', 'receipt'] }] }, 'aggregates[0].fields[1]', /unknown column 'receipt'/],
    ['a duplicate aggregate name', { ...valid, aggregates: [{ name: 'x', fn: 'count' }, { name: 'x', fn: 'sum', field: 'qty' }] }, 'aggregates[1].name', /already used/],
    ['an aggregate named like a group key', { ...valid, groupBy: ['store_cd'], aggregates: [{ name: 'store_cd', fn: 'count' }] }, 'aggregates[0].name', /already used/],
    ['an aggregate named window_start', { ...valid, aggregates: [{ name: 'window_start', fn: 'count' }] }, 'aggregates[0].name', /already used/],
    ['a filter on an unknown column', { ...valid, filter: { field: 'division', notIn: ['담배'] } }, 'filter.field', /unknown column/],
    ['a filter with an unknown operator', { ...valid, filter: { field: 'qty', op: '!=', value: 0 } }, 'filter.op', /= <> < <= > >=/],
    ['a filter with an empty NOT IN', { ...valid, filter: { field: 'division_name', notIn: [] } }, 'filter.notIn', /at least one value/],
    ['a filter value that is not a literal', { ...valid, filter: { field: 'qty', op: '>', value: null } }, 'filter.value', /string or a finite number/],
    ['HAVING on something not in the output', { ...valid, having: { field: 'cnt', op: '>', value: 1 } }, 'having.field', /aggregate or group key/],
    ['Top-N without a window', { ...valid, window: { kind: 'none' }, topN: { n: 3, orderBy: 'sum_of_mount', rowNumberName: 'rownum' } }, 'topN', /needs a window/],
    ['Top-N ordered by something not aggregated', { ...valid, topN: { n: 3, orderBy: 'mount', rowNumberName: 'rownum' } }, 'topN.orderBy', /must name an aggregate \(sum_of_mount\)/],
    ['Top-N with n = 0', { ...valid, topN: { n: 0, orderBy: 'sum_of_mount', rowNumberName: 'rownum' } }, 'topN.n', /positive whole number/],
    ['Top-N rank named like an aggregate', { ...valid, topN: { n: 3, orderBy: 'sum_of_mount', rowNumberName: 'sum_of_mount' } }, 'topN.rowNumberName', /already used/],
    ['a watermark on another column', { ...valid, watermark: { timeColumn: 'event_time' } }, 'watermark.timeColumn', /tr_datetime/],
    ['a bad watermark delay', { ...valid, watermark: { outOfOrderness: '5' } }, 'watermark.outOfOrderness', /duration/],
  ])('rejects %s, naming %s', (_case, input, field, message) => {
    const error = errorOf(input);
    expect(error.key).toMatch(new RegExp(`^queries/[^:]+\\.ts: ${field.replace(/[.[\]]/g, '\\$&')}$`));
    expect(error.message).toMatch(message);
  });
});
