import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `daily_sales`: Line items and sales per day (the dashboard's daily chart; the hands-on's
 * Athena query over the lake, as a stream).
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT window_start, window_end, COUNT(*) AS cnt_of_sales, SUM(mount) AS sum_of_sales
 * FROM TABLE(TUMBLE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' DAY))
 * GROUP BY window_start, window_end
 * ```
 */
export const query = defineQuery({
  name: 'daily_sales',
  description: "Line items and sales per day (the dashboard's daily chart; the hands-on's Athena query over the lake, as a stream).",
  window: { kind: 'tumble', size: '1 d' },
  aggregates: [
    { name: 'cnt_of_sales', fn: 'count' },
    { name: 'sum_of_sales', fn: 'sum', field: 'mount' },
  ],
} satisfies QueryInput);
