import type { DashboardView } from '../../shared/dashboard/viewTypes.js';
import { Chart, krwAxis, krwTooltip, PALETTE } from './chartSetup.js';
import { setPanelPoints } from './dom.js';
import { countPoints, cumulativeSeries, HOUR_LABELS, hourlySeries, WINDOW_END_LABELS, type Values } from './series.js';

/**
 * The hourly sales line chart: the latest day solid, the day before dashed, hours 0–23; an hour
 * not fired yet is a gap, not a zero.
 * @param canvas - `#chart-hourly`
 * @returns a renderer that updates the chart in place
 */
export function createHourlyChart(canvas: HTMLCanvasElement): (hourly: DashboardView['hourly']) => void {
  const chart = new Chart<'line', Values, string>(canvas, {
    type: 'line',
    data: {
      labels: [...HOUR_LABELS],
      datasets: [
        { label: '—', data: [], borderColor: PALETTE.primary, backgroundColor: PALETTE.primary, spanGaps: false, tension: 0.2, pointRadius: 2 },
        { label: '—', data: [], borderColor: PALETTE.muted, backgroundColor: PALETTE.muted, borderDash: [6, 4], spanGaps: false, tension: 0.2, pointRadius: 0 },
      ],
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      scales: { x: { title: { display: true, text: 'hour of day' } }, y: krwAxis },
      plugins: { tooltip: { callbacks: { label: krwTooltip } } },
    },
  });
  return (hourly) => {
    const { latest, previous } = hourlySeries(hourly);
    const [latestSet, previousSet] = chart.data.datasets;
    if (latestSet === undefined || previousSet === undefined) return;
    latestSet.label = latest.label;
    latestSet.data = latest.values;
    previousSet.label = previous.label;
    previousSet.data = previous.values;
    chart.update('none');
    setPanelPoints(canvas, countPoints(latest.values, previous.values));
  };
}

/**
 * The 24-hour cumulative line chart of `kpi.today`: sales since midnight at each fired hour's end.
 * @param canvas - `#chart-cumulative`
 * @param title - `#cumulative-day`, which names the day drawn
 * @returns a renderer that updates the chart in place
 */
export function createCumulativeChart(canvas: HTMLCanvasElement, title: HTMLElement): (cumulative: DashboardView['cumulative']) => void {
  const chart = new Chart<'line', Values, string>(canvas, {
    type: 'line',
    data: {
      labels: [...WINDOW_END_LABELS],
      datasets: [{ label: '—', data: [], borderColor: PALETTE.primary, backgroundColor: PALETTE.primaryFill, fill: 'origin', spanGaps: false, tension: 0.2, pointRadius: 2 }],
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      scales: { x: { title: { display: true, text: 'hour (window end)' } }, y: krwAxis },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: krwTooltip } } },
    },
  });
  return (cumulative) => {
    const { label, values } = cumulativeSeries(cumulative);
    const [dataset] = chart.data.datasets;
    if (dataset === undefined) return;
    dataset.label = label;
    dataset.data = values;
    chart.update('none');
    title.textContent = label;
    setPanelPoints(canvas, countPoints(values));
  };
}
