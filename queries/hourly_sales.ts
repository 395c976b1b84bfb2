import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `hourly_sales`: Total sales per hour.
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT window_start, window_end, SUM(mount) AS sum_of_mount
 * FROM TABLE(TUMBLE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR))
 * GROUP BY window_start, window_end
 * ```
 */
export const query = defineQuery({
  name: 'hourly_sales',
  description: 'Total sales per hour.',
  window: { kind: 'tumble', size: '1 h' },
  aggregates: [{ name: 'sum_of_mount', fn: 'sum', field: 'mount' }],
} satisfies QueryInput);
