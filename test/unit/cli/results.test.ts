import { describe, expect, it } from 'vitest';
import { queries } from '../../../queries/index.js';
import type { ResultRow } from '../../../shared/aggregate/rows.js';
import { columnsOf, displayWidth, formatCsv, formatJsonLines, formatTable } from '../../../cli/commands/results.js';

// Rows as DynamoDB hands them back: map keys in no particular order.
const rollupRows: ResultRow[] = [
  { sum_of_mount: 1234567, division_name: null, window_end: '2015-01-05T02:00:00', window_start: '2015-01-05T01:00:00' },
  { division_name: '담배', window_start: '2015-01-05T01:00:00', window_end: '2015-01-05T02:00:00', sum_of_mount: 1200 },
  { window_start: '2015-01-05T01:00:00', window_end: '2015-01-05T02:00:00', division_name: 'Snacks, "Salty"', sum_of_mount: 33.333333 },
];
const columns = columnsOf(queries.hourly_division_rollup, rollupRows);

describe('CLI: results formats', () => {
  it('orders columns as the query builds rows: window bounds, group keys, aggregates, rank', () => {
    expect(columns).toEqual(['window_start', 'window_end', 'division_name', 'sum_of_mount']);
    expect(columnsOf(queries.hourly_top3_divisions, [])).toEqual(['window_start', 'window_end', 'division_name', 'mount', 'cnt', 'rownum']);
    expect(columnsOf(queries.sales_kpi, [{ extra: 1, visitors: 2 }])).toEqual(['last_tr_datetime', 'visitors', 'sum_of_sales', 'extra']);
  });

  it('aligns a table by terminal cells, numbers right-aligned and null as ∅', () => {
    const lines = formatTable(columns, rollupRows).trimEnd().split('\n');
    expect(lines).toEqual([
      'window_start         window_end           division_name    sum_of_mount',
      '-------------------  -------------------  ---------------  ------------',
      '2015-01-05T01:00:00  2015-01-05T02:00:00  ∅                   1,234,567',
      '2015-01-05T01:00:00  2015-01-05T02:00:00  담배                    1,200',
      '2015-01-05T01:00:00  2015-01-05T02:00:00  Snacks, "Salty"         33.33',
    ]);
    expect(new Set(lines.map(displayWidth)).size).toBe(1);
  });

  it('writes JSON lines in column order with exact values and null kept', () => {
    const lines = formatJsonLines(columns, rollupRows).trimEnd().split('\n');
    expect(lines[0]).toBe('{"window_start":"2015-01-05T01:00:00","window_end":"2015-01-05T02:00:00","division_name":null,"sum_of_mount":1234567}');
    expect(lines.map((line) => JSON.parse(line) as ResultRow)).toEqual(rollupRows);
  });

  it('writes RFC 4180 CSV: a header, CRLF, quoted fields, null as the empty field', () => {
    expect(formatCsv(columns, rollupRows)).toBe(
      'window_start,window_end,division_name,sum_of_mount\r\n' +
        '2015-01-05T01:00:00,2015-01-05T02:00:00,,1234567\r\n' +
        '2015-01-05T01:00:00,2015-01-05T02:00:00,담배,1200\r\n' +
        '2015-01-05T01:00:00,2015-01-05T02:00:00,"Snacks, ""Salty""",33.333333\r\n',
    );
    expect(formatCsv(columns, [])).toBe('window_start,window_end,division_name,sum_of_mount\r\n');
  });
});
