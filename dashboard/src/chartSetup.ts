/**
 * Chart.js, registered piece by piece so the bundle carries only the controllers, elements,
 * scales and plugins these charts use, with the defaults every chart shares: no animation (the
 * charts redraw every second), the system font stack (Korean division names render without web
 * fonts) and the page's palette.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type TooltipItem,
} from 'chart.js';
import { formatCompact, formatKrw } from './format.js';

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend, Filler);

/** The system font stack, with the Korean system fonts of each platform. */
export const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", "Noto Sans CJK KR", "Nanum Gothic", sans-serif';

Chart.defaults.font.family = FONT_FAMILY;
Chart.defaults.color = '#475569';
Chart.defaults.borderColor = '#e2e8f0';
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.plugins.legend.position = 'bottom';
Chart.defaults.plugins.legend.labels.boxWidth = 12;

/** The page's colours: a main series, a comparison series, and one per top-3 rank. */
export const PALETTE = {
  primary: '#2563eb',
  primaryFill: 'rgba(37, 99, 235, 0.15)',
  secondary: '#f97316',
  muted: '#94a3b8',
  ranks: ['#d4a017', '#8b95a5', '#b87333'],
} as const;

/**
 * A tooltip line in won: `2015-03-01: ₩12,000`.
 * @param item - the hovered item
 */
export function krwTooltip(item: Pick<TooltipItem<'line' | 'bar'>, 'raw'> & { readonly dataset: { readonly label?: string } }): string {
  const value = typeof item.raw === 'number' ? formatKrw(item.raw) : '—';
  return item.dataset.label === undefined ? value : `${item.dataset.label}: ${value}`;
}

/** A linear axis in won, from zero, with short tick labels (`1235만`). */
export const krwAxis = { beginAtZero: true, ticks: { callback: formatCompact } } as const;

export { Chart };
