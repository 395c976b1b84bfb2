import type { S3Client } from '@aws-sdk/client-s3';
import type { DashboardView } from '../../shared/dashboard/view.js';
import { queryLake } from '../../shared/lake/queryLake.js';

/** The SQL the check runs over the lake: the hands-on's daily Athena query. */
export const DAILY_LAKE_SQL = 'SELECT tr_date, count(*) AS cnt, sum(mount) AS sales FROM transaction_order GROUP BY tr_date ORDER BY tr_date';

/** What {@link checkDashboardAgainstLake} found. */
export interface LakeCheck {
  /** Days compared. */
  readonly days: number;
  /** Days whose count or sales differ, or that only one side has, as `day: dashboard ≠ lake`. */
  readonly mismatches: readonly string[];
  readonly lakeSales: number;
  readonly lakeCount: number;
}

/**
 * Checks the dashboard's figures against `eddy query` over the lake the raw writer wrote: every
 * day's line items and sales (`daily_sales` against the daily Athena query), and the totals of
 * `sales_kpi`. Two separate paths (the aggregate stage's windows, and files queried by DuckDB)
 * must agree once every window fired and every file committed.
 */
export async function checkDashboardAgainstLake(s3: S3Client, bucket: string, view: DashboardView): Promise<LakeCheck> {
  const lake = await queryLake(s3, bucket, DAILY_LAKE_SQL);
  const lakeDays = new Map(lake.rows.map((row) => [String(row.tr_date), { count: Number(row.cnt), sales: Number(row.sales) }]));
  const mismatches: string[] = [];
  const days = new Set([...lakeDays.keys(), ...view.daily.map((day) => day.day)]);
  for (const day of [...days].sort()) {
    const left = view.daily.find((entry) => entry.day === day);
    const right = lakeDays.get(day);
    if (left === undefined || right === undefined || left.count !== right.count || Math.abs(left.sales - right.sales) > 0.005) {
      mismatches.push(`${day}: dashboard ${left ? `${left.count} items ₩${left.sales}` : 'none'} ≠ lake ${right ? `${right.count} items ₩${right.sales}` : 'none'}`);
    }
  }
  const lakeSales = [...lakeDays.values()].reduce((sum, day) => sum + day.sales, 0);
  const lakeCount = [...lakeDays.values()].reduce((sum, day) => sum + day.count, 0);
  if (Math.abs(view.kpi.sales - lakeSales) > 0.005 * Math.max(1, lakeDays.size)) mismatches.push(`total: sales_kpi ₩${view.kpi.sales} ≠ lake ₩${lakeSales}`);
  return { days: days.size, mismatches, lakeSales, lakeCount };
}
