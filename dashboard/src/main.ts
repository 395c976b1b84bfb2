/**
 * The live sales dashboard page: reads the API key, polls `api/dashboard` without overlapping
 * requests, and redraws the KPI line and the five charts in place from each answer.
 */
import type { DashboardView } from '../../shared/dashboard/viewTypes.js';
import { fetchDashboard } from './api.js';
import { createApiKeyStore, takeKeyFromFragment } from './apiKey.js';
import { createDailyChart, createDivisionsChart, createTop3Chart } from './barCharts.js';
import { byId } from './dom.js';
import { createKpiRenderer } from './kpi.js';
import { createCumulativeChart, createHourlyChart } from './lineCharts.js';
import { createPoller, pollPeriodOf, type PollNext } from './poller.js';
import { createStatusView } from './status.js';

/** Binds every panel and returns one function that draws a whole view. */
function createDashboard(): (view: DashboardView) => void {
  const renderKpi = createKpiRenderer();
  const renderHourly = createHourlyChart(byId('chart-hourly', HTMLCanvasElement));
  const renderDaily = createDailyChart(byId('chart-daily', HTMLCanvasElement));
  const renderDivisions = createDivisionsChart(byId('chart-divisions', HTMLCanvasElement));
  const renderTop3 = createTop3Chart(byId('chart-top3', HTMLCanvasElement), byId('top3-latest', HTMLElement));
  const renderCumulative = createCumulativeChart(byId('chart-cumulative', HTMLCanvasElement), byId('cumulative-day', HTMLElement));
  return (view) => {
    renderKpi(view.kpi);
    renderHourly(view.hourly);
    renderDaily(view.daily);
    renderDivisions(view.divisions);
    renderTop3(view.top3);
    renderCumulative(view.cumulative);
  };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function start(): void {
  const keys = createApiKeyStore();
  takeKeyFromFragment(keys);
  const render = createDashboard();
  const status = createStatusView(byId('status', HTMLElement), byId('api-key-form', HTMLFormElement), byId('api-key', HTMLInputElement), (key) => {
    keys.set(key);
    poller.resume();
  });

  const tick = async (): Promise<PollNext> => {
    const key = keys.get();
    if (key === null) {
      status.needKey('missing');
      return 'pause';
    }
    const result = await fetchDashboard(key);
    if (result.kind === 'refused') {
      keys.clear();
      status.needKey('refused', result.status);
      return 'pause';
    }
    if (result.kind === 'error') {
      status.error(result.message);
      return 'continue';
    }
    try {
      render(result.view);
      status.live(new Date());
    } catch (error) {
      // A view the charts cannot draw is shown like any other failed poll; the next may be fine.
      status.error(`cannot draw the data: ${messageOf(error)}`);
    }
    return 'continue';
  };

  const poller = createPoller(tick, pollPeriodOf(window.location.search));
  poller.resume();
}

start();
