import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `hourly_division_rollup`: Total sales per hour and division, plus the hour's total as a
 * rollup row whose `division_name` is null.
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT window_start, window_end, division_name, SUM(mount) AS sum_of_mount
 * FROM TABLE(TUMBLE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR))
 * GROUP BY window_start, window_end, ROLLUP (division_name)
 * ```
 */
export const query = defineQuery({
  name: 'hourly_division_rollup',
  description: "Total sales per hour and division, plus the hour's total as a rollup row whose `division_name` is null.",
  window: { kind: 'tumble', size: '1 h' },
  groupBy: ['division_name'],
  rollup: true,
  aggregates: [{ name: 'sum_of_mount', fn: 'sum', field: 'mount' }],
} satisfies QueryInput);
