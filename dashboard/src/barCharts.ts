import type { DashboardView } from '../../shared/dashboard/viewTypes.js';
import { Chart, krwAxis, krwTooltip, PALETTE } from './chartSetup.js';
import { setPanelPoints } from './dom.js';
import { formatCompact, formatCount, formatKrw } from './format.js';
import { countPoints, dailySeries, divisionSeries, RANK_LABELS, top3LatestText, top3Series, type Values } from './series.js';

/**
 * The daily chart: sales as bars on the left axis, line items as a line on the right axis `y1`.
 * @param canvas - `#chart-daily`
 * @returns a renderer that updates the chart in place
 */
export function createDailyChart(canvas: HTMLCanvasElement): (daily: DashboardView['daily']) => void {
  const chart = new Chart<'bar' | 'line', Values, string>(canvas, {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { type: 'bar', label: 'sales (₩)', data: [], backgroundColor: PALETTE.primary, yAxisID: 'y', order: 2 },
        { type: 'line', label: 'line items', data: [], borderColor: PALETTE.secondary, backgroundColor: PALETTE.secondary, yAxisID: 'y1', pointRadius: 0, borderWidth: 2, order: 1 },
      ],
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      scales: {
        y: { ...krwAxis, position: 'left' },
        y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, ticks: { callback: formatCompact } },
      },
      plugins: {
        tooltip: {
          callbacks: { label: (item) => (item.datasetIndex === 0 ? krwTooltip(item) : `line items: ${typeof item.raw === 'number' ? formatCount(item.raw) : '—'}`) },
        },
      },
    },
  });
  return (daily) => {
    const { labels, sales, counts } = dailySeries(daily);
    const [salesSet, countSet] = chart.data.datasets;
    if (salesSet === undefined || countSet === undefined) return;
    chart.data.labels = labels;
    salesSet.data = sales;
    countSet.data = counts;
    chart.update('none');
    setPanelPoints(canvas, countPoints(sales, counts));
  };
}

/**
 * Sales by division as horizontal bars, highest first.
 * @param canvas - `#chart-divisions`
 * @returns a renderer that updates the chart in place
 */
export function createDivisionsChart(canvas: HTMLCanvasElement): (divisions: DashboardView['divisions']) => void {
  const chart = new Chart<'bar', Values, string>(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'sales (₩)', data: [], backgroundColor: PALETTE.primary }] },
    options: {
      indexAxis: 'y',
      scales: { x: krwAxis, y: { ticks: { autoSkip: false } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => formatKrw(typeof item.raw === 'number' ? item.raw : null) } } },
    },
  });
  return (divisions) => {
    const { labels, sales } = divisionSeries(divisions);
    const [dataset] = chart.data.datasets;
    if (dataset === undefined) return;
    chart.data.labels = labels;
    dataset.data = sales;
    chart.update('none');
    setPanelPoints(canvas, countPoints(sales));
  };
}

/**
 * The hourly top-3 chart: per hour, a group of three bars (1st, 2nd, 3rd); the tooltip names the
 * division of each bar. Also fills `#top3-latest` with the latest hour as text.
 * @param canvas - `#chart-top3`
 * @param latest - `#top3-latest`
 * @returns a renderer that updates the chart in place
 */
export function createTop3Chart(canvas: HTMLCanvasElement, latest: HTMLElement): (top3: DashboardView['top3']) => void {
  // The division names of the bars drawn, read by the tooltip; replaced on every render.
  let names = top3Series([]).divisions;
  const chart = new Chart<'bar', Values, string>(canvas, {
    type: 'bar',
    data: {
      labels: [],
      datasets: RANK_LABELS.map((label, i) => ({ label, data: [], backgroundColor: PALETTE.ranks[i] })),
    },
    options: {
      interaction: { mode: 'nearest', intersect: true },
      scales: { y: krwAxis },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) => {
              const division = names.at(item.datasetIndex)?.[item.dataIndex] ?? '—';
              return `${item.dataset.label ?? ''} ${division}: ${formatKrw(typeof item.raw === 'number' ? item.raw : null)}`;
            },
          },
        },
      },
    },
  });
  return (top3) => {
    const series = top3Series(top3);
    names = series.divisions;
    chart.data.labels = series.labels;
    chart.data.datasets.forEach((dataset, i) => {
      dataset.data = series.sales.at(i) ?? [];
    });
    chart.update('none');
    latest.textContent = top3LatestText(top3);
    setPanelPoints(canvas, countPoints(...series.sales));
  };
}
