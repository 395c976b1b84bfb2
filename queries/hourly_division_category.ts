import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `hourly_division_category`: Total sales per hour, division and main category.
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT window_start, window_end, division_name, maincategory_name, SUM(mount) AS sum_of_mount
 * FROM TABLE(TUMBLE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR))
 * GROUP BY window_start, window_end, division_name, maincategory_name
 * ```
 */
export const query = defineQuery({
  name: 'hourly_division_category',
  description: 'Total sales per hour, division and main category.',
  window: { kind: 'tumble', size: '1 h' },
  groupBy: ['division_name', 'maincategory_name'],
  aggregates: [{ name: 'sum_of_mount', fn: 'sum', field: 'mount' }],
} satisfies QueryInput);
