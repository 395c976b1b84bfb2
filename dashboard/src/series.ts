/**
 * Turns the API's view into what the charts draw: fixed label axes, one value per label (null
 * for a gap) and the count of drawn values each panel reports in `data-points`. Pure, so the
 * rules (24 hours always, highest division first, rank order) live apart from Chart.js.
 */
import { byDivisionSales, type DashboardView, type DayHours } from '../../shared/dashboard/viewTypes.js';
import { formatHourLabel, formatKrw } from './format.js';

/** A series' values, one per label; null leaves a gap. */
export type Values = (number | null)[];

/** The hourly chart's labels: the hour of day, `0`…`23`, always all 24. */
export const HOUR_LABELS: readonly string[] = Array.from({ length: 24 }, (_, h) => String(h));
/** The cumulative chart's labels: the hour its window ends, `1`…`24`, always all 24. */
export const WINDOW_END_LABELS: readonly string[] = Array.from({ length: 24 }, (_, h) => String(h + 1));
/** The top-3 chart's dataset labels, by rank. */
export const RANK_LABELS = ['1st', '2nd', '3rd'] as const;

/**
 * Counts the non-null values over every series given.
 * @param series - the values of each dataset a chart draws
 */
export const countPoints = (...series: readonly (readonly (number | null)[])[]): number =>
  series.reduce((sum, values) => sum + values.filter((v) => v !== null && Number.isFinite(v)).length, 0);

/** One labelled line of the hourly chart. */
export interface DaySeries {
  readonly label: string;
  readonly values: Values;
}

const dayHours = (day: DayHours | null): DaySeries => ({
  label: day?.day ?? '—',
  values: HOUR_LABELS.map((_, h) => day?.sales[h] ?? null),
});

/**
 * The hourly chart: the latest day and the day before it, 24 values each.
 * @param hourly - the view's `hourly`
 */
export const hourlySeries = (hourly: DashboardView['hourly']): { latest: DaySeries; previous: DaySeries } => ({
  latest: dayHours(hourly.latest),
  previous: dayHours(hourly.previous),
});

/**
 * The daily chart: days oldest first, with their sales and line-item counts.
 * @param daily - the view's `daily`
 */
export const dailySeries = (daily: DashboardView['daily']): { labels: string[]; sales: Values; counts: Values } => ({
  labels: daily.map((d) => d.day),
  sales: daily.map((d) => d.sales),
  counts: daily.map((d) => d.count),
});

/**
 * The divisions chart, highest sales first whatever order the API sent.
 * @param divisions - the view's `divisions`
 */
export function divisionSeries(divisions: DashboardView['divisions']): { labels: string[]; sales: Values } {
  const sorted = [...divisions].sort(byDivisionSales);
  return { labels: sorted.map((d) => d.division), sales: sorted.map((d) => d.sales) };
}

/** The top-3 chart: per rank, the sales and the division name of each hour. */
export interface Top3Series {
  readonly labels: string[];
  readonly sales: [Values, Values, Values];
  readonly divisions: [(string | null)[], (string | null)[], (string | null)[]];
}

/**
 * The top-3 chart: hours oldest first (`MM-DD HH:00`), one dataset per rank.
 * @param top3 - the view's `top3`
 */
export function top3Series(top3: DashboardView['top3']): Top3Series {
  const rankOf = (i: number) => top3.map((hour) => hour.ranks.find((r) => r.rank === i + 1) ?? null);
  const ranks = [rankOf(0), rankOf(1), rankOf(2)] as const;
  return {
    labels: top3.map((hour) => formatHourLabel(hour.windowStart)),
    sales: [ranks[0].map((r) => r?.sales ?? null), ranks[1].map((r) => r?.sales ?? null), ranks[2].map((r) => r?.sales ?? null)],
    divisions: [ranks[0].map((r) => r?.division ?? null), ranks[1].map((r) => r?.division ?? null), ranks[2].map((r) => r?.division ?? null)],
  };
}

/**
 * The latest hour's top three as one line: `1. 음료 ₩12,000 · 2. … · 3. …`.
 * @param top3 - the view's `top3`
 */
export function top3LatestText(top3: DashboardView['top3']): string {
  const latest = top3.at(-1);
  if (latest === undefined || latest.ranks.length === 0) return '—';
  const ranks = [...latest.ranks].sort((a, b) => a.rank - b.rank);
  return ranks.map((r) => `${r.rank}. ${r.division} ${formatKrw(r.sales)}`).join(' · ');
}

/**
 * The cumulative chart: the sales since midnight at each window end, 24 values.
 * @param cumulative - the view's `cumulative`
 */
export function cumulativeSeries(cumulative: DashboardView['cumulative']): { label: string; values: Values } {
  const values: Values = WINDOW_END_LABELS.map(() => null);
  for (const point of cumulative.points) if (point.hour >= 1 && point.hour <= 24) values[point.hour - 1] = point.sales;
  return { label: cumulative.day ?? '—', values };
}
