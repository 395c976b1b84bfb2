import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `cumulative_daily_sales`: Sales of the day so far, emitted every hour (CUMULATE step 1 h over
 * a 24 h window).
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT window_start, window_end, SUM(mount) AS sum_of_mount
 * FROM TABLE(CUMULATE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR, INTERVAL '24' HOUR))
 * GROUP BY window_start, window_end
 * ```
 */
export const query = defineQuery({
  name: 'cumulative_daily_sales',
  description: 'Sales of the day so far, emitted every hour (CUMULATE step 1 h over a 24 h window).',
  window: { kind: 'cumulate', step: '1 h', size: '24 h' },
  aggregates: [{ name: 'sum_of_mount', fn: 'sum', field: 'mount' }],
} satisfies QueryInput);
