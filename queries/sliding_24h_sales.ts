import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `sliding_24h_sales`: Total and average line amount over the last 24 hours, every hour (HOP
 * slide 1 h, size 24 h).
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT window_start, window_end, SUM(mount) AS sum_of_mount, AVG(mount) AS avg_mount
 * FROM TABLE(HOP(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR, INTERVAL '24' HOUR))
 * GROUP BY window_start, window_end
 * ```
 */
export const query = defineQuery({
  name: 'sliding_24h_sales',
  description: 'Total and average line amount over the last 24 hours, every hour (HOP slide 1 h, size 24 h).',
  window: { kind: 'hop', slide: '1 h', size: '24 h' },
  aggregates: [
    { name: 'sum_of_mount', fn: 'sum', field: 'mount' },
    { name: 'avg_mount', fn: 'avg', field: 'mount' },
  ],
} satisfies QueryInput);
