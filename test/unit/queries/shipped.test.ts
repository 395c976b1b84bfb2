import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queries } from '../../../queries/index.js';
import { toFlinkSql } from '../../../shared/queries/index.js';

const TUMBLE_1H = "FROM TABLE(TUMBLE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR))";

describe('Queries: shipped', () => {
  it("ships the hands-on's nine queries and the dashboard's daily_sales under their names", () => {
    expect(Object.keys(queries).sort()).toEqual([
      'cumulative_daily_sales',
      'daily_sales',
      'division_totals',
      'hourly_division_category',
      'hourly_division_rollup',
      'hourly_sales',
      'hourly_top3_divisions',
      'hourly_top3_divisions_ex_tobacco',
      'sales_kpi',
      'sliding_24h_sales',
    ]);
    for (const [name, query] of Object.entries(queries)) expect(query.name).toBe(name);
  });

  it.each(Object.entries(queries))('%s loads with the default 5 s watermark on tr_datetime', (_name, query) => {
    expect(query.watermark).toEqual({ timeColumn: 'tr_datetime', outOfOrdernessMs: 5_000 });
    expect(toFlinkSql(query)).toContain("WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND");
  });

  it.each(Object.entries(queries))('%s documents its Flink SQL in its TSDoc', (name, query) => {
    const source = readFileSync(new URL(`../../../queries/${name}.ts`, import.meta.url), 'utf8');
    const documented = toFlinkSql(query)
      .split('\n')
      .map((line) => ` * ${line}`)
      .join('\n');
    expect(source).toContain(documented);
  });

  it('division_totals counts and sums per division without a window', () => {
    const sql = toFlinkSql(queries.division_totals);
    expect(sql).toContain('SELECT division_name, COUNT(*) AS cnt_of_sales, SUM(mount) AS sum_of_sales');
    expect(sql).toContain('FROM clean\nGROUP BY division_name');
    expect(sql).not.toContain('window_start');
  });

  it('sales_kpi is one row counting distinct receipts by store, POS, date and number', () => {
    const sql = toFlinkSql(queries.sales_kpi);
    expect(sql).toContain('MAX(tr_datetime) AS last_tr_datetime');
    expect(sql).toContain("COUNT(DISTINCT CONCAT_WS('|', store_cd, pos_num, tr_date, receipt_num)) AS visitors");
    expect(sql).toContain('SUM(mount) AS sum_of_sales');
    expect(sql).not.toContain('GROUP BY');
  });

  it('daily_sales counts and sums line items per 1 d tumbling window', () => {
    const sql = toFlinkSql(queries.daily_sales);
    expect(sql).toContain('SELECT window_start, window_end, COUNT(*) AS cnt_of_sales, SUM(mount) AS sum_of_sales');
    expect(sql).toContain("FROM TABLE(TUMBLE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' DAY))");
  });

  it('hourly_sales sums mount per 1 h tumbling window', () => {
    const sql = toFlinkSql(queries.hourly_sales);
    expect(sql).toContain('SELECT window_start, window_end, SUM(mount) AS sum_of_mount');
    expect(sql).toContain(TUMBLE_1H);
    expect(sql).toContain('GROUP BY window_start, window_end');
  });

  it('hourly_division_category groups by division and main category', () => {
    const sql = toFlinkSql(queries.hourly_division_category);
    expect(sql).toContain(TUMBLE_1H);
    expect(sql).toContain('GROUP BY window_start, window_end, division_name, maincategory_name');
  });

  it('cumulative_daily_sales uses CUMULATE with a 1 h step over 24 h', () => {
    expect(toFlinkSql(queries.cumulative_daily_sales)).toContain("TABLE(CUMULATE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR, INTERVAL '24' HOUR))");
    expect(queries.cumulative_daily_sales.window).toMatchObject({ kind: 'cumulate', step: { ms: 3_600_000 }, size: { ms: 86_400_000 } });
  });

  it('hourly_division_rollup rolls up the division', () => {
    const sql = toFlinkSql(queries.hourly_division_rollup);
    expect(sql).toContain(TUMBLE_1H);
    expect(sql).toContain('GROUP BY window_start, window_end, ROLLUP (division_name)');
  });

  it('hourly_top3_divisions ranks divisions by summed mount within each window', () => {
    const sql = toFlinkSql(queries.hourly_top3_divisions);
    expect(sql).toContain('ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY mount DESC) AS rownum');
    expect(sql).toContain('SUM(mount) AS mount, COUNT(*) AS cnt');
    expect(sql).toContain('WHERE rownum <= 3');
    expect(sql).not.toContain('담배');
  });

  it('hourly_top3_divisions_ex_tobacco is the same ranking without 담배', () => {
    const sql = toFlinkSql(queries.hourly_top3_divisions_ex_tobacco);
    expect(sql).toContain("WHERE division_name NOT IN ('담배')");
    expect(sql.replace("    WHERE division_name NOT IN ('담배')\n", '').replace(/-- .*\n/, '')).toBe(toFlinkSql(queries.hourly_top3_divisions).replace(/-- .*\n/, ''));
  });

  it('sliding_24h_sales hops every hour over 24 h with sum and average', () => {
    const sql = toFlinkSql(queries.sliding_24h_sales);
    expect(sql).toContain("TABLE(HOP(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR, INTERVAL '24' HOUR))");
    expect(sql).toContain('SUM(mount) AS sum_of_mount, AVG(mount) AS avg_mount');
  });
});
