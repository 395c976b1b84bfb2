import type { KpiView } from '../../shared/dashboard/viewTypes.js';
import { byId, setPanelPoints } from './dom.js';
import { formatCount, formatEventTime, formatKrw } from './format.js';

/** Draws the KPI line from one view. */
export type KpiRenderer = (kpi: KpiView) => void;

/**
 * How many of the four KPI values are known (not null).
 * @param kpi - the view's KPI line
 */
export const kpiPoints = (kpi: KpiView): number => [kpi.sales, kpi.visitors, kpi.lastTransaction, kpi.todaySales].filter((v) => v !== null).length;

/**
 * Binds the KPI panel: `#kpi-sales`, `#kpi-visitors`, `#kpi-last`, `#kpi-today` and the today
 * label `#kpi-today-label`, which names the day the number is for.
 */
export function createKpiRenderer(): KpiRenderer {
  const sales = byId('kpi-sales', HTMLElement);
  const visitors = byId('kpi-visitors', HTMLElement);
  const last = byId('kpi-last', HTMLElement);
  const today = byId('kpi-today', HTMLElement);
  const todayLabel = byId('kpi-today-label', HTMLElement);
  return (kpi) => {
    sales.textContent = formatKrw(kpi.sales);
    visitors.textContent = formatCount(kpi.visitors);
    last.textContent = formatEventTime(kpi.lastTransaction);
    today.textContent = formatKrw(kpi.todaySales);
    todayLabel.textContent = kpi.today === null ? 'Today’s sales' : `Today’s sales · ${kpi.today}`;
    setPanelPoints(sales, kpiPoints(kpi));
  };
}
