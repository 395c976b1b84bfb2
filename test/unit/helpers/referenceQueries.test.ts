import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queries, type QueryName } from '../../../queries/index.js';
import { loadProducts, PRODUCTS_CSV } from '../../../shared/generator/products.js';
import { primaryKeyOf } from '../../../shared/primaryKey.js';
import { validateRawTransaction } from '../../../shared/schema/rawTransaction.js';
import { buildAggregateInput } from '../../helpers/aggregateInput.js';
import { diffRows } from '../../helpers/compareRows.js';
import { referenceResults, type ReferenceRow } from '../../helpers/referenceQueries.js';

const PRODUCTS = `division_cd,division_name,maincategory_cd,maincategory_name,subcategory_cd,subcategory_name,product_cd,product_name,is_pb
45,담배,72,담배,220,외산담배,P_TOB,"담배, 말보로",N
31,음료,42,커피음료,123,냉장커피,P_DRK,커피,N
20,과자류,30,스낵류,80,스낵,P_SNK,"새우깡 ""매운맛""",N
42,생활잡화,62,전기연료,187,라이타,P_LTR,라이터,N
50,주류,70,맥주,200,국산맥주,P_BEER,맥주,N
99,중복,99,중복,99,중복,P_DRK,a later row of an existing product_cd,N
`;

/** A valid raw line; `at` is `YYYY-MM-DD HH:MM:SS` (or with a T). */
function line(at: string, receipt: string, product: string, mount: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    tr_date: at.slice(0, 10),
    tr_time: String(Number(at.slice(11, 13))),
    store_cd: '12345',
    store_name: '등촌점',
    pos_num: '1',
    receipt_num: receipt,
    product_cd: product,
    qty: 1,
    mount,
    tr_datetime: at,
    ...extra,
  });
}

const drink = line('2015-01-05 01:20:00', '2', 'P_DRK', 3000);
const LINES: (string | Buffer)[] = [
  line('2015-01-05 01:10:00', '1', 'P_TOB', 5000),
  drink,
  // Ties with the drink at 3,000 in hour 01: 과자류 < 음료, so the snack ranks first of the two.
  line('2015-01-05 01:30:00', '3', 'P_SNK', 3000),
  line('2015-01-05 01:40:00', '4', 'P_LTR', 1000),
  drink,
  '{"tr_date": "2015-01-05", broken',
  Buffer.from([0xff, 0xfe, 0x7b, 0x0a]),
  '[1, 2]',
  'null',
  '',
  // Missing mount, then an hour that disagrees with tr_time, then an unknown product.
  JSON.stringify({ ...(JSON.parse(line('2015-01-05 01:50:00', '8', 'P_DRK', 1)) as object), mount: undefined }),
  line('2015-01-05 01:55:00', '9', 'P_DRK', 1, { tr_time: '5' }),
  line('2015-01-05 01:56:00', '10', 'P_NONE', 100),
  line('2015-01-05T03:05:00', '5', 'P_BEER', 2000),
  line('2015-01-05T03:06:00', '5', 'P_SNK', 500),
  // Late: left out of windowed queries, counted by continuous ones.
  line('2015-01-05 02:15:00', '6', 'P_DRK', 7000),
  line('2015-01-06 00:30:00', '7', 'P_DRK', 4000),
];
const LATE = new Set(['12345|1|2015-01-05T02:15:00|6|P_DRK']);

const W = (start: string, end: string) => ({ window_start: start, window_end: end });
const H01 = W('2015-01-05T01:00:00', '2015-01-05T02:00:00');
const H03 = W('2015-01-05T03:00:00', '2015-01-05T04:00:00');
const H24 = W('2015-01-06T00:00:00', '2015-01-06T01:00:00');

/** ISO local date-time `hours` after 2015-01-04T00:00:00. */
const at = (hours: number): string => new Date(Date.UTC(2015, 0, 4) + hours * 3_600_000).toISOString().slice(0, 19);

/** Windows by start hour (after 2015-01-04T00:00), for HOP and CUMULATE expectations. */
function windows(fromHour: number, toHour: number, row: (hour: number) => ReferenceRow): ReferenceRow[] {
  return Array.from({ length: toHour - fromHour + 1 }, (_, i) => row(fromHour + i));
}

let dir: string;
let results: Record<QueryName, ReferenceRow[]>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-reference-'));
  const raw = Buffer.concat(LINES.map((entry) => Buffer.concat([typeof entry === 'string' ? Buffer.from(entry, 'utf8') : entry, Buffer.from('\n')])));
  await writeFile(join(dir, 'raw.jsonl'), raw);
  await writeFile(join(dir, "products's.csv"), PRODUCTS);
  results = await referenceResults({ rawLinesFile: join(dir, 'raw.jsonl'), productsCsv: join(dir, "products's.csv"), latePks: LATE });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Helper: referenceResults', () => {
  it('returns every shipped query, with the output names of its definition', () => {
    expect(Object.keys(results).sort()).toEqual(Object.keys(queries).sort());
    for (const [name, query] of Object.entries(queries)) {
      const windowFields = query.window.kind === 'none' ? [] : ['window_start', 'window_end'];
      const rank = query.topN ? [query.topN.rowNumberName] : [];
      const expected = [...windowFields, ...query.groupBy, ...query.aggregates.map((aggregate) => aggregate.name), ...rank];
      for (const row of results[name as QueryName]) expect(Object.keys(row)).toEqual(expected);
    }
  });

  it('sums each hour of the records that are valid, known, first of their key and not late', () => {
    expect(diffRows(results.hourly_sales, [
      { ...H01, sum_of_mount: 12_000 },
      { ...H03, sum_of_mount: 2_500 },
      { ...H24, sum_of_mount: 4_000 },
    ])).toEqual([]);
  });

  it('groups an hour by division and main category', () => {
    expect(diffRows(results.hourly_division_category, [
      { ...H01, division_name: '담배', maincategory_name: '담배', sum_of_mount: 5_000 },
      { ...H01, division_name: '음료', maincategory_name: '커피음료', sum_of_mount: 3_000 },
      { ...H01, division_name: '과자류', maincategory_name: '스낵류', sum_of_mount: 3_000 },
      { ...H01, division_name: '생활잡화', maincategory_name: '전기연료', sum_of_mount: 1_000 },
      { ...H03, division_name: '주류', maincategory_name: '맥주', sum_of_mount: 2_000 },
      { ...H03, division_name: '과자류', maincategory_name: '스낵류', sum_of_mount: 500 },
      { ...H24, division_name: '음료', maincategory_name: '커피음료', sum_of_mount: 4_000 },
    ])).toEqual([]);
  });

  it('adds a subtotal row with a null division to every hour (ROLLUP)', () => {
    expect(diffRows(results.hourly_division_rollup, [
      { ...H01, division_name: '담배', sum_of_mount: 5_000 },
      { ...H01, division_name: '음료', sum_of_mount: 3_000 },
      { ...H01, division_name: '과자류', sum_of_mount: 3_000 },
      { ...H01, division_name: '생활잡화', sum_of_mount: 1_000 },
      { ...H01, division_name: null, sum_of_mount: 12_000 },
      { ...H03, division_name: '주류', sum_of_mount: 2_000 },
      { ...H03, division_name: '과자류', sum_of_mount: 500 },
      { ...H03, division_name: null, sum_of_mount: 2_500 },
      { ...H24, division_name: '음료', sum_of_mount: 4_000 },
      { ...H24, division_name: null, sum_of_mount: 4_000 },
    ])).toEqual([]);
  });

  it('keeps the top three divisions of each hour, breaking a tie by the smaller name', () => {
    expect(results.hourly_top3_divisions).toEqual([
      { ...H01, division_name: '담배', mount: 5_000, cnt: 1, rownum: 1 },
      { ...H01, division_name: '과자류', mount: 3_000, cnt: 1, rownum: 2 },
      { ...H01, division_name: '음료', mount: 3_000, cnt: 1, rownum: 3 },
      { ...H03, division_name: '주류', mount: 2_000, cnt: 1, rownum: 1 },
      { ...H03, division_name: '과자류', mount: 500, cnt: 1, rownum: 2 },
      { ...H24, division_name: '음료', mount: 4_000, cnt: 1, rownum: 1 },
    ]);
  });

  it('ranks without tobacco when the query filters it out', () => {
    expect(results.hourly_top3_divisions_ex_tobacco.filter((row) => row.window_start === H01.window_start)).toEqual([
      { ...H01, division_name: '과자류', mount: 3_000, cnt: 1, rownum: 1 },
      { ...H01, division_name: '음료', mount: 3_000, cnt: 1, rownum: 2 },
      { ...H01, division_name: '생활잡화', mount: 1_000, cnt: 1, rownum: 3 },
    ]);
  });

  it('emits every later step of a day from its first non-empty hour (CUMULATE)', () => {
    const day1 = (end: number): ReferenceRow => ({ window_start: at(24), window_end: at(end), sum_of_mount: end <= 24 + 3 ? 12_000 : 14_500 });
    const day2 = (end: number): ReferenceRow => ({ window_start: at(48), window_end: at(end), sum_of_mount: 4_000 });
    expect(diffRows(results.cumulative_daily_sales, [...windows(24 + 2, 48, day1), ...windows(48 + 1, 72, day2)])).toEqual([]);
  });

  it('puts a record in the 24 hopping windows that contain it (HOP)', () => {
    // Hour 01 on the 5th is hour 25 after the 4th, hour 03 is 27, hour 00 on the 6th is 48.
    const holds = (start: number, hour: number): boolean => start >= hour - 23 && start <= hour;
    const hop = (start: number): ReferenceRow => {
      const mounts = [...(holds(start, 25) ? [5_000, 3_000, 3_000, 1_000] : []), ...(holds(start, 27) ? [2_000, 500] : []), ...(holds(start, 48) ? [4_000] : [])];
      const sum = mounts.reduce((a, b) => a + b, 0);
      return { window_start: at(start), window_end: at(start + 24), sum_of_mount: sum, avg_mount: sum / mounts.length };
    };
    expect(diffRows(results.sliding_24h_sales, windows(25 - 23, 48, hop))).toEqual([]);
    const lastRecord = '2015-01-06T00:30:00';
    expect(results.sliding_24h_sales.filter((row) => String(row.window_start) <= lastRecord && lastRecord < String(row.window_end))).toHaveLength(24);
  });

  it('counts late records in continuous queries', () => {
    expect(diffRows(results.division_totals, [
      { division_name: '담배', cnt_of_sales: 1, sum_of_sales: 5_000 },
      { division_name: '음료', cnt_of_sales: 3, sum_of_sales: 14_000 },
      { division_name: '과자류', cnt_of_sales: 2, sum_of_sales: 3_500 },
      { division_name: '생활잡화', cnt_of_sales: 1, sum_of_sales: 1_000 },
      { division_name: '주류', cnt_of_sales: 1, sum_of_sales: 2_000 },
    ])).toEqual([]);
    expect(results.sales_kpi).toEqual([{ last_tr_datetime: '2015-01-06T00:30:00', visitors: 7, sum_of_sales: 25_500 }]);
  });

  it('returns no rows, not a row of nulls, for an input with no valid record', async () => {
    await writeFile(join(dir, 'bad.jsonl'), 'not json\n{"tr_date": 1}\n');
    const empty = await referenceResults({ rawLinesFile: join(dir, 'bad.jsonl'), productsCsv: join(dir, "products's.csv") });
    for (const rows of Object.values(empty)) expect(rows).toEqual([]);
  });

  it('dedupes by the pk a line carries when it has one', async () => {
    const withPk = (receipt: string) => line('2015-01-05 01:10:00', receipt, 'P_DRK', 100, { pk: 'same-key' });
    await writeFile(join(dir, 'pk.jsonl'), `${withPk('1')}\n${withPk('2')}\n`);
    const out = await referenceResults({ rawLinesFile: join(dir, 'pk.jsonl'), productsCsv: join(dir, "products's.csv"), latePks: new Set(['same-key']) });
    expect(out.division_totals).toEqual([{ division_name: '음료', cnt_of_sales: 1, sum_of_sales: 100 }]);
    expect(out.hourly_sales).toEqual([]);
  });
});

/** A plain-JS reading of three queries, to cross-check the SQL on generated data. */
function jsOracle(lines: readonly string[], late: ReadonlySet<string>) {
  const products = new Map(loadProducts().map((product) => [product.product_cd, product]));
  const seen = new Set<string>();
  const hourly = new Map<string, number>();
  const hop = new Map<string, { sum: number; count: number }>();
  const divisions = new Map<string, { cnt_of_sales: number; sum_of_sales: number }>();
  for (const text of lines) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    const checked = validateRawTransaction(value);
    if (!checked.ok) continue;
    const row = checked.value;
    const product = products.get(row.product_cd);
    const pk = row.pk ?? primaryKeyOf(row);
    if (!product || seen.has(pk)) continue;
    seen.add(pk);
    const division = divisions.get(product.division_name) ?? { cnt_of_sales: 0, sum_of_sales: 0 };
    divisions.set(product.division_name, { cnt_of_sales: division.cnt_of_sales + 1, sum_of_sales: division.sum_of_sales + row.mount });
    if (late.has(pk)) continue;
    const hourMs = Date.parse(`${row.tr_datetime.slice(0, 13)}:00:00Z`);
    const hour = new Date(hourMs).toISOString().slice(0, 19);
    hourly.set(hour, (hourly.get(hour) ?? 0) + row.mount);
    for (let k = 0; k < 24; k++) {
      const start = new Date(hourMs - k * 3_600_000).toISOString().slice(0, 19);
      const window = hop.get(start) ?? { sum: 0, count: 0 };
      hop.set(start, { sum: window.sum + row.mount, count: window.count + 1 });
    }
  }
  const plusHours = (iso: string, hours: number): string => new Date(Date.parse(`${iso}Z`) + hours * 3_600_000).toISOString().slice(0, 19);
  return {
    hourly_sales: [...hourly].map(([start, sum]) => ({ window_start: start, window_end: plusHours(start, 1), sum_of_mount: sum })),
    sliding_24h_sales: [...hop].map(([start, { sum, count }]) => ({ window_start: start, window_end: plusHours(start, 24), sum_of_mount: sum, avg_mount: sum / count })),
    division_totals: [...divisions].map(([name, totals]) => ({ division_name: name, ...totals })),
  };
}

describe('Helper: referenceResults on generated input', () => {
  it('agrees with a plain-JS computation on 100k lines, in a few seconds', async () => {
    const input = buildAggregateInput({ seed: 11, days: 7, stores: 3, duplicateRate: 0.05, lateCount: 25, rows: 100_000 });
    const lines = [...input.phase1, ...input.phase2];
    await writeFile(join(dir, 'generated.jsonl'), `${lines.join('\n')}\n`);
    const started = performance.now();
    const out = await referenceResults({ rawLinesFile: join(dir, 'generated.jsonl'), productsCsv: PRODUCTS_CSV, latePks: input.latePks });
    expect(performance.now() - started).toBeLessThan(10_000);
    const expected = jsOracle(lines, input.latePks);
    expect(diffRows(out.hourly_sales, expected.hourly_sales)).toEqual([]);
    expect(diffRows(out.sliding_24h_sales, expected.sliding_24h_sales)).toEqual([]);
    expect(diffRows(out.division_totals, expected.division_totals)).toEqual([]);
    // Late rows are in the continuous totals only: the difference is exactly their amounts.
    const sum = (rows: readonly ReferenceRow[], field: string): number => rows.reduce((total, row) => total + Number(row[field]), 0);
    const lateMount = input.phase2.reduce((total, text) => total + (JSON.parse(text) as { mount: number }).mount, 0);
    expect(lateMount).toBeGreaterThan(0);
    expect(sum(out.division_totals, 'sum_of_sales') - sum(out.hourly_sales, 'sum_of_mount')).toBe(lateMount);
  });
});
