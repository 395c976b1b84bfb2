import type { ResultRow } from '../aggregate/rows.js';
import { eventTimeOf, formatLocal } from '../aggregate/eventTime.js';
import type { ResultStore } from '../ports/ResultStore.js';
import { byDivisionSales, type DashboardView, type DayHours } from './viewTypes.js';

export type { DashboardView, DayHours, KpiView } from './viewTypes.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How many days of `daily_sales` the dashboard shows. @default 190 (the scenario's six months fit) */
export const DAILY_DAYS = 190;
/** How many fired hours of `hourly_top3_divisions` the dashboard shows. */
export const TOP3_HOURS = 12;

/** What the view reads: the result store's read side. */
export type ResultReader = Pick<ResultStore, 'read'>;

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));
const str = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const msOf = (value: unknown): number | undefined => (typeof value === 'string' ? eventTimeOf(value) : typeof value === 'number' ? value : undefined);
const dayOf = (ms: number): string => formatLocal(ms).slice(0, 10);

/** Groups hourly rows by day into 24 slots, keeping the latest two days. */
function hourlyDays(rows: readonly ResultRow[]): DashboardView['hourly'] {
  const days = new Map<string, (number | null)[]>();
  for (const row of rows) {
    const start = msOf(row.window_start);
    if (start === undefined) continue;
    const day = dayOf(start);
    const hours = days.get(day) ?? Array.from({ length: 24 }, () => null);
    hours[new Date(start).getUTCHours()] = num(row.sum_of_mount);
    days.set(day, hours);
  }
  const [latest, previous] = [...days.keys()].sort().reverse();
  const view = (day: string | undefined): DayHours | null => (day === undefined ? null : { day, sales: days.get(day) ?? [] });
  return { latest: view(latest), previous: view(previous) };
}

/** The top-3 rows grouped by hour, ranks in order. */
function top3Hours(rows: readonly ResultRow[]): DashboardView['top3'] {
  const hours = new Map<string, { rank: number; division: string; sales: number }[]>();
  for (const row of rows) {
    const start = str(row.window_start);
    const ranks = hours.get(start) ?? [];
    ranks.push({ rank: num(row.rownum), division: str(row.division_name), sales: num(row.mount) });
    hours.set(start, ranks);
  }
  return [...hours.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-TOP3_HOURS)
    .map(([windowStart, ranks]) => ({ windowStart, ranks: ranks.sort((a, b) => a.rank - b.rank) }));
}

/** The latest day's cumulative points, by the hour its window ends (1–24). */
function cumulativeDay(rows: readonly ResultRow[]): DashboardView['cumulative'] {
  const windows = rows
    .map((row) => ({ start: msOf(row.window_start), end: msOf(row.window_end), sales: num(row.sum_of_mount) }))
    .filter((w): w is { start: number; end: number; sales: number } => w.start !== undefined && w.end !== undefined);
  const latest = Math.max(...windows.map((w) => w.start));
  if (!Number.isFinite(latest)) return { day: null, points: [] };
  const points = windows
    .filter((w) => w.start === latest)
    .map((w) => ({ hour: Math.round((w.end - w.start) / HOUR), sales: w.sales }))
    .sort((a, b) => a.hour - b.hour);
  return { day: dayOf(latest), points };
}

/**
 * Reads what the dashboard shows from the query results, in six reads whatever the history:
 * the continuous queries' current rows, and the windowed queries' windows of the last day or
 * two around the latest event time (`sales_kpi.last_tr_datetime`), so a poll stays cheap as
 * the results grow.
 * @param results - where the aggregate stage keeps its results
 * @param now - the wall clock, for `generatedAt`
 */
export async function readDashboardView(results: ResultReader, now: () => number = Date.now): Promise<DashboardView> {
  const [kpiRow] = await results.read('sales_kpi');
  const last = msOf(kpiRow?.last_tr_datetime);
  // Windows fire behind the latest record; two days back covers the latest fired day and the one before it.
  const since = last === undefined ? 0 : Math.floor(last / DAY) * DAY - 2 * DAY;
  const [hourly, daily, divisions, top3, cumulative] = await Promise.all([
    results.read('hourly_sales', { from: since }),
    results.read('daily_sales', { from: last === undefined ? 0 : since - DAILY_DAYS * DAY }),
    results.read('division_totals'),
    results.read('hourly_top3_divisions', { from: since }),
    results.read('cumulative_daily_sales', { from: since }),
  ]);
  const today = cumulativeDay(cumulative);
  return {
    generatedAt: new Date(now()).toISOString(),
    kpi: {
      lastTransaction: last === undefined ? null : formatLocal(last),
      visitors: num(kpiRow?.visitors),
      sales: num(kpiRow?.sum_of_sales),
      today: today.day,
      todaySales: today.points.at(-1)?.sales ?? null,
    },
    hourly: hourlyDays(hourly),
    daily: daily
      .map((row) => ({ day: str(row.window_start).slice(0, 10), sales: num(row.sum_of_sales), count: num(row.cnt_of_sales) }))
      .sort((a, b) => a.day.localeCompare(b.day)),
    divisions: divisions
      .map((row) => ({ division: str(row.division_name), sales: num(row.sum_of_sales), count: num(row.cnt_of_sales) }))
      .sort(byDivisionSales),
    top3: top3Hours(top3),
    cumulative: today,
  };
}
