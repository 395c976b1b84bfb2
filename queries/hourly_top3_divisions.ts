import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `hourly_top3_divisions`: The three divisions with the highest sales in each hour (Window Top-N).
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT *
 * FROM (
 *   SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY mount DESC) AS rownum
 *   FROM (
 *     SELECT window_start, window_end, division_name, SUM(mount) AS mount, COUNT(*) AS cnt
 *     FROM TABLE(TUMBLE(TABLE clean, DESCRIPTOR(tr_datetime), INTERVAL '1' HOUR))
 *     GROUP BY window_start, window_end, division_name
 *   )
 * )
 * WHERE rownum <= 3
 * ```
 */
export const input = {
  name: 'hourly_top3_divisions',
  description: 'The three divisions with the highest sales in each hour (Window Top-N).',
  window: { kind: 'tumble', size: '1 h' },
  groupBy: ['division_name'],
  aggregates: [
    { name: 'mount', fn: 'sum', field: 'mount' },
    { name: 'cnt', fn: 'count' },
  ],
  topN: { n: 3, orderBy: 'mount', rowNumberName: 'rownum' },
} satisfies QueryInput;

export const query = defineQuery(input);
