/** The shipped queries, by name; the names are part of the interface (table names, docs). */
import { query as divisionTotals } from './division_totals.js';
import { query as salesKpi } from './sales_kpi.js';
import { query as hourlySales } from './hourly_sales.js';
import { query as hourlyDivisionCategory } from './hourly_division_category.js';
import { query as cumulativeDailySales } from './cumulative_daily_sales.js';
import { query as hourlyDivisionRollup } from './hourly_division_rollup.js';
import { query as hourlyTop3Divisions } from './hourly_top3_divisions.js';
import { query as hourlyTop3DivisionsExTobacco } from './hourly_top3_divisions_ex_tobacco.js';
import { query as sliding24hSales } from './sliding_24h_sales.js';
import { query as dailySales } from './daily_sales.js';

/** Every shipped query, keyed by its name. */
export const queries = {
  division_totals: divisionTotals,
  sales_kpi: salesKpi,
  hourly_sales: hourlySales,
  hourly_division_category: hourlyDivisionCategory,
  cumulative_daily_sales: cumulativeDailySales,
  hourly_division_rollup: hourlyDivisionRollup,
  hourly_top3_divisions: hourlyTop3Divisions,
  hourly_top3_divisions_ex_tobacco: hourlyTop3DivisionsExTobacco,
  sliding_24h_sales: sliding24hSales,
  daily_sales: dailySales,
} as const;

/** The name of a shipped query. */
export type QueryName = keyof typeof queries;

export { divisionTotals, salesKpi, hourlySales, hourlyDivisionCategory, cumulativeDailySales, hourlyDivisionRollup, hourlyTop3Divisions, hourlyTop3DivisionsExTobacco, sliding24hSales, dailySales };
