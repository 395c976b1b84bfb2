import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `division_totals`: Sales count and total per division, updated continuously (no window).
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT division_name, COUNT(*) AS cnt_of_sales, SUM(mount) AS sum_of_sales
 * FROM clean
 * GROUP BY division_name
 * ```
 */
export const query = defineQuery({
  name: 'division_totals',
  description: 'Sales count and total per division, updated continuously (no window).',
  window: { kind: 'none' },
  groupBy: ['division_name'],
  aggregates: [
    { name: 'cnt_of_sales', fn: 'count' },
    { name: 'sum_of_sales', fn: 'sum', field: 'mount' },
  ],
} satisfies QueryInput);
