/**
 * The JSON the dashboard API answers (`GET /api/dashboard`), as types only and without imports:
 * the page (browser code) imports them from here, so it type-checks without server modules.
 */

/** The KPI line: `sales_kpi`, and today's sales from `cumulative_daily_sales`. */
export interface KpiView {
  /** The latest event time seen (`YYYY-MM-DDTHH:MM:SS`), null before any record. */
  readonly lastTransaction: string | null;
  /** Distinct receipts seen. */
  readonly visitors: number;
  /** Sales of every record seen (KRW). */
  readonly sales: number;
  /** The event-time day of the latest fired cumulative window (`YYYY-MM-DD`), null before any fired. */
  readonly today: string | null;
  /** Sales of `today` so far: its latest fired cumulative window. */
  readonly todaySales: number | null;
}

/** One day's 24 hourly sales, hour 0 to 23 in numeric order; null where that hour has not fired. */
export interface DayHours {
  readonly day: string;
  readonly sales: readonly (number | null)[];
}

/** Everything the dashboard page draws, in one response of `GET /api/dashboard`. */
export interface DashboardView {
  /** When the view was read (ISO-8601, wall clock). */
  readonly generatedAt: string;
  readonly kpi: KpiView;
  /** `hourly_sales` of the latest day with a fired hour, and of the day before it (or null). */
  readonly hourly: { readonly latest: DayHours | null; readonly previous: DayHours | null };
  /** `daily_sales`: one entry per fired day, oldest first. */
  readonly daily: readonly { readonly day: string; readonly sales: number; readonly count: number }[];
  /** `division_totals`: sales and line items per division, highest sales first. */
  readonly divisions: readonly { readonly division: string; readonly sales: number; readonly count: number }[];
  /** `hourly_top3_divisions` of the latest fired hours, oldest first; ranks 1–3 per hour. */
  readonly top3: readonly { readonly windowStart: string; readonly ranks: readonly { readonly rank: number; readonly division: string; readonly sales: number }[] }[];
  /** `cumulative_daily_sales` of `kpi.today`: sales from midnight to each fired hour's end (1–24). */
  readonly cumulative: { readonly day: string | null; readonly points: readonly { readonly hour: number; readonly sales: number }[] };
}

/** The divisions chart's order: highest sales first, ties by name. The API sends them so; the page keeps it whatever it gets. */
export const byDivisionSales = (a: DashboardView['divisions'][number], b: DashboardView['divisions'][number]): number => b.sales - a.sales || a.division.localeCompare(b.division);
