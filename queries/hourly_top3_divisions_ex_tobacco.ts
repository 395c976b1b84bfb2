import { defineQuery, type QueryInput } from '../shared/queries/index.js';
import { input } from './hourly_top3_divisions.js';

/**
 * `hourly_top3_divisions_ex_tobacco`: The three divisions with the highest sales in each hour,
 * tobacco (담배) excluded.
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
 *     WHERE division_name NOT IN ('담배')
 *     GROUP BY window_start, window_end, division_name
 *   )
 * )
 * WHERE rownum <= 3
 * ```
 */
export const query = defineQuery({
  ...input,
  name: 'hourly_top3_divisions_ex_tobacco',
  description: 'The three divisions with the highest sales in each hour, tobacco (담배) excluded.',
  filter: { field: 'division_name', notIn: ['담배'] },
} satisfies QueryInput);
