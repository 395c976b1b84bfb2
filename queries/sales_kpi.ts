import { defineQuery, type QueryInput } from '../shared/queries/index.js';

/**
 * `sales_kpi`: One KPI row, updated continuously: latest event time, visitors (distinct
 * receipts, a receipt being store + POS + date + receipt number) and total sales.
 *
 * The Flink SQL it stands for:
 *
 * ```sql
 * -- source clean: WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL '5' SECOND
 * SELECT MAX(tr_datetime) AS last_tr_datetime, COUNT(DISTINCT CONCAT_WS('|', store_cd, pos_num, tr_date, receipt_num)) AS visitors, SUM(mount) AS sum_of_sales
 * FROM clean
 * ```
 */
export const query = defineQuery({
  name: 'sales_kpi',
  description: 'One KPI row, updated continuously: latest event time, visitors (distinct receipts, a receipt being store + POS + date + receipt number) and total sales.',
  window: { kind: 'none' },
  aggregates: [
    { name: 'last_tr_datetime', fn: 'max', field: 'tr_datetime' },
    // 8 buckets hold a 1,000-store chain's ~320,000 receipts a day (~7 bytes each packed) under the 400 KB item limit.
    { name: 'visitors', fn: 'count_distinct', fields: ['store_cd', 'pos_num', 'tr_date', 'receipt_num'], buckets: 8 },
    { name: 'sum_of_sales', fn: 'sum', field: 'mount' },
  ],
} satisfies QueryInput);
