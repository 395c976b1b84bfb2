import { describe, expect, it } from 'vitest';
import { eventTimeOf, formatLocal } from '../../../shared/aggregate/eventTime.js';
import type { ResultRow } from '../../../shared/aggregate/rows.js';
import { DAILY_DAYS, readDashboardView, TOP3_HOURS, type ResultReader } from '../../../shared/dashboard/view.js';
import { InMemoryResultStore } from '../../helpers/aggregateFakes.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const at = (text: string): number => eventTimeOf(text) as number;
const dayStart = (day: string): number => at(`${day}T00:00:00`);

// Two full days (01-05, 01-06) and part of a third (01-07, records up to 10:30).
const D1 = '2015-01-05';
const D2 = '2015-01-06';
const D3 = '2015-01-07';
const LAST = `${D3}T10:30:00`;
const sales = (day: string, h: number): number => (day === D1 ? 100_000 : day === D2 ? 200_000 : 300_000) + 1000 * h;
const FIRED: Readonly<Record<string, readonly number[]>> = {
  [D1]: Array.from({ length: 24 }, (_, h) => h),
  [D2]: Array.from({ length: 24 }, (_, h) => h).filter((h) => h !== 3 && h !== 4),
  [D3]: Array.from({ length: 10 }, (_, h) => h),
};

/** The reads the view makes, on top of the aggregate tests' in-memory store. */
class RecordingReader implements ResultReader {
  public readonly reads: { query: string; range: { readonly from?: number; readonly to?: number } | undefined }[] = [];
  public constructor(private readonly store: InMemoryResultStore) {}
  public read(query: string, range?: { readonly from?: number; readonly to?: number }): Promise<ResultRow[]> {
    this.reads.push({ query, range });
    return this.store.read(query, range);
  }
}

/** Puts one window's rows as the aggregate stage writes them: window bounds first. */
async function putWindow(store: InMemoryResultStore, query: string, start: number, end: number, rows: readonly ResultRow[]): Promise<void> {
  const bounds = { window_start: formatLocal(start), window_end: formatLocal(end) };
  await store.putWindows(query, [{ window: { start, end }, rows: rows.map((row) => ({ ...bounds, ...row })), revision: 1 }]);
}

async function seededStore(): Promise<InMemoryResultStore> {
  const store = new InMemoryResultStore();
  await store.putContinuous('sales_kpi', [{ last_tr_datetime: LAST, visitors: 321, sum_of_sales: 9_876_543 }], 1);
  await store.putContinuous(
    'division_totals',
    [
      { division_name: '담배', cnt_of_sales: 5, sum_of_sales: 3000 },
      { division_name: '음료', cnt_of_sales: 2, sum_of_sales: 9000 },
      { division_name: '과자', cnt_of_sales: 9, sum_of_sales: 5000 },
    ],
    1,
  );
  for (const [day, hours] of Object.entries(FIRED)) {
    for (const h of hours) {
      const start = dayStart(day) + h * HOUR;
      await putWindow(store, 'hourly_sales', start, start + HOUR, [{ sum_of_mount: sales(day, h) }]);
      await putWindow(store, 'cumulative_daily_sales', dayStart(day), start + HOUR, [{ sum_of_mount: 10 * (h + 1) + (day === D3 ? 1 : 0) }]);
      // Ranks arrive out of order; the view puts them in order.
      await putWindow(store, 'hourly_top3_divisions', start, start + HOUR, [
        { division_name: '과자', mount: 200, cnt: 2, rownum: 2 },
        { division_name: '담배', mount: 100, cnt: 1, rownum: 3 },
        { division_name: '음료', mount: 300 + h, cnt: 3, rownum: 1 },
      ]);
    }
  }
  for (const [day, count] of [[D2, 20], ['2014-12-01', 7], [D1, 10]] as const) {
    await putWindow(store, 'daily_sales', dayStart(day), dayStart(day) + DAY, [{ cnt_of_sales: count, sum_of_sales: count * 1000 }]);
  }
  return store;
}

describe('Dashboard: view', () => {
  it('shows the KPI line from sales_kpi and today’s sales from the latest cumulative window', async () => {
    const view = await readDashboardView(new RecordingReader(await seededStore()), () => NOW);
    expect(view.generatedAt).toBe('2024-06-01T12:00:00.000Z');
    expect(view.kpi).toEqual({ lastTransaction: LAST, visitors: 321, sales: 9_876_543, today: D3, todaySales: 101 });
  });

  it('charts 24 hourly slots, hour 0 to 23, for the latest day with fired hours and the day before, null where unfired', async () => {
    const { hourly } = await readDashboardView(new RecordingReader(await seededStore()), () => NOW);
    const slots = (day: string): (number | null)[] => Array.from({ length: 24 }, (_, h) => (FIRED[day]?.includes(h) ? sales(day, h) : null));
    expect(hourly.latest).toEqual({ day: D3, sales: slots(D3) });
    expect(hourly.previous).toEqual({ day: D2, sales: slots(D2) });
    expect(hourly.previous?.sales.slice(2, 6)).toEqual([sales(D2, 2), null, null, sales(D2, 5)]);
  });

  it('takes the day before as latest while the latest event’s day has no fired hour yet', async () => {
    const store = new InMemoryResultStore();
    await store.putContinuous('sales_kpi', [{ last_tr_datetime: `${D3}T00:20:00`, visitors: 1, sum_of_sales: 1 }], 1);
    for (const day of [D1, D2]) await putWindow(store, 'hourly_sales', dayStart(day) + 23 * HOUR, dayStart(day) + DAY, [{ sum_of_mount: sales(day, 23) }]);
    const { hourly } = await readDashboardView(store, () => NOW);
    expect([hourly.latest?.day, hourly.latest?.sales[23]]).toEqual([D2, sales(D2, 23)]);
    expect([hourly.previous?.day, hourly.previous?.sales[23]]).toEqual([D1, sales(D1, 23)]);
  });

  it('lists daily sales and counts oldest first', async () => {
    const { daily } = await readDashboardView(new RecordingReader(await seededStore()), () => NOW);
    expect(daily).toEqual([
      { day: '2014-12-01', sales: 7000, count: 7 },
      { day: D1, sales: 10_000, count: 10 },
      { day: D2, sales: 20_000, count: 20 },
    ]);
  });

  it('sorts divisions by sales, highest first', async () => {
    const { divisions } = await readDashboardView(new RecordingReader(await seededStore()), () => NOW);
    expect(divisions).toEqual([
      { division: '음료', sales: 9000, count: 2 },
      { division: '과자', sales: 5000, count: 9 },
      { division: '담배', sales: 3000, count: 5 },
    ]);
  });

  it('groups the top 3 by hour, ranks 1 to 3 in order, for the latest TOP3_HOURS hours, oldest first', async () => {
    const { top3 } = await readDashboardView(new RecordingReader(await seededStore()), () => NOW);
    // 01-06 has 22 fired hours and 01-07 ten: the last twelve are 01-06 22:00 and 23:00, then 01-07 00:00 to 09:00.
    const expectedHours = [`${D2}T22:00:00`, `${D2}T23:00:00`, ...FIRED[D3]!.map((h) => `${D3}T0${h}:00:00`)];
    expect(top3).toHaveLength(TOP3_HOURS);
    expect(top3.map((hour) => hour.windowStart)).toEqual(expectedHours);
    expect(top3.at(-1)?.ranks).toEqual([
      { rank: 1, division: '음료', sales: 309 },
      { rank: 2, division: '과자', sales: 200 },
      { rank: 3, division: '담배', sales: 100 },
    ]);
  });

  it('holds the latest day’s cumulative sales by the hour each window ends, and today’s sales is its last point', async () => {
    const { cumulative, kpi } = await readDashboardView(new RecordingReader(await seededStore()), () => NOW);
    expect(cumulative).toEqual({ day: D3, points: FIRED[D3]!.map((h) => ({ hour: h + 1, sales: 10 * (h + 1) + 1 })) });
    expect(kpi.todaySales).toBe(cumulative.points.at(-1)?.sales);
  });

  it('gives a full day’s cumulative points 1 to 24 when the day has closed', async () => {
    const store = await seededStore();
    const reader: ResultReader = { read: (query, range) => store.read(query, query === 'cumulative_daily_sales' ? { ...range, to: dayStart(D3) } : range) };
    const { cumulative, kpi } = await readDashboardView(reader, () => NOW);
    expect(cumulative.day).toBe(D2);
    expect(cumulative.points.map((point) => point.hour)).toEqual(FIRED[D2]!.map((h) => h + 1));
    expect([kpi.today, kpi.todaySales]).toEqual([D2, 240]);
  });

  it('reads windowed results only from two days before the latest event’s day on', async () => {
    const reader = new RecordingReader(await seededStore());
    await readDashboardView(reader, () => NOW);
    const fromOf = (query: string): number | undefined => reader.reads.find((read) => read.query === query)?.range?.from;
    expect(fromOf('hourly_sales')).toBe(dayStart(D1));
    expect(fromOf('hourly_top3_divisions')).toBe(dayStart(D1));
    expect(fromOf('cumulative_daily_sales')).toBe(dayStart(D1));
    expect(fromOf('daily_sales')).toBe(dayStart(D1) - DAILY_DAYS * DAY);
    expect(reader.reads).toHaveLength(6);
  });

  it('shows nulls and empty lists for an empty store, without throwing', async () => {
    const view = await readDashboardView(new InMemoryResultStore(), () => NOW);
    expect(view).toEqual({
      generatedAt: '2024-06-01T12:00:00.000Z',
      kpi: { lastTransaction: null, visitors: 0, sales: 0, today: null, todaySales: null },
      hourly: { latest: null, previous: null },
      daily: [],
      divisions: [],
      top3: [],
      cumulative: { day: null, points: [] },
    });
  });
});
