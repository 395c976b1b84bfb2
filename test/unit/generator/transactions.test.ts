import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import { serializeRows } from '../../../shared/generator/csv.js';
import { planGeneration } from '../../../shared/generator/options.js';
import { unitPriceOf } from '../../../shared/generator/prices.js';
import { loadProducts } from '../../../shared/generator/products.js';
import { DIVISION_MIX, HOURLY_PROFILE } from '../../../shared/generator/profile.js';
import { generateTransactionBatches, generateTransactions } from '../../../shared/generator/transactions.js';
import { primaryKeyOf } from '../../../shared/primaryKey.js';
import { validateRawTransaction } from '../../../shared/schema/rawTransaction.js';
import type { RawTransaction } from '../../../shared/types.js';

const products = new Map(loadProducts().map((product) => [product.product_cd, product]));
const seconds = (row: RawTransaction): number => Date.parse(`${row.tr_datetime.replace(' ', 'T')}Z`) / 1000;
const receiptKey = (row: RawTransaction): string => `${row.store_cd}|${row.pos_num}|${row.tr_date}|${row.receipt_num}`;

describe('Generator: transactions', () => {
  let rows: RawTransaction[];
  beforeAll(() => {
    rows = [...generateTransactions()];
  });

  it('generates the scenario by default: 94,498 line items of store 12345 등촌점 from 2015-01-01 to 2015-06-30', () => {
    expect(rows).toHaveLength(94_498);
    expect(new Set(rows.map((row) => `${row.store_cd} ${row.store_name}`))).toEqual(new Set(['12345 등촌점']));
    expect(rows[0]?.tr_date).toBe('2015-01-01');
    expect(rows.at(-1)?.tr_date).toBe('2015-06-30');
    expect(new Set(rows.map((row) => row.tr_date)).size).toBe(181);
  });

  it('produces byte-identical output for the same options and different output for another seed', () => {
    const options = { rows: 3_000, seed: 7, from: '2015-03-01', to: '2015-03-10', stores: 2 };
    const once = [...serializeRows(generateTransactions(options), 'csv')].join('');
    const twice = [...serializeRows(generateTransactions(options), 'csv')].join('');
    const other = [...serializeRows(generateTransactions({ ...options, seed: 8 }), 'csv')].join('');
    expect(twice).toBe(once);
    expect(other).not.toBe(once);
  });

  it('produces exactly the requested number of rows', () => {
    for (const count of [0, 1, 7, 1_234, 10_001]) {
      expect([...generateTransactions({ rows: count, from: '2015-02-01', to: '2015-02-28' })]).toHaveLength(count);
    }
  });

  it('keeps every row within the range, valid for the raw schema and in chronological order', () => {
    expect(rows.filter((row) => row.tr_date < '2015-01-01' || row.tr_date > '2015-06-30')).toEqual([]);
    const times = rows.map(seconds);
    expect(times.filter((time, i) => i > 0 && time < (times[i - 1] as number))).toEqual([]);
    const invalid = rows.filter((row) => !validateRawTransaction(row).ok || row.tr_time !== String(Number(row.tr_datetime.slice(11, 13))));
    expect(invalid).toEqual([]);
  });

  it('covers every hour of every day over a long range', () => {
    const cells = new Set(rows.map((row) => `${row.tr_date} ${row.tr_time}`));
    expect(cells.size).toBe(181 * 24);
  });

  it('follows the daily profile: evenings are busiest, 4–6 h quietest', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const row of rows) byHour[Number(row.tr_time)]! += 1;
    const at = (hour: number): number => byHour[hour] as number;
    expect(at(20)).toBeGreaterThan(3 * at(5));
    expect(at(21)).toBeGreaterThan(at(10));
    expect(Math.min(...byHour)).toBe(at(6));
    // Shares per hour match the profile within 15 % of each hour's expected count.
    const total = HOURLY_PROFILE.reduce((sum, value) => sum + value, 0);
    HOURLY_PROFILE.forEach((weight, hour) => expect(Math.abs(at(hour) / rows.length - weight / total)).toBeLessThan(0.15 * (weight / total)));
  });

  it('matches the observed division mix: 음료 most line items, 담배 most amount', () => {
    const items = new Map<string, number>();
    const amount = new Map<string, number>();
    for (const row of rows) {
      const division = products.get(row.product_cd)?.division_name ?? 'unknown';
      items.set(division, (items.get(division) ?? 0) + 1);
      amount.set(division, (amount.get(division) ?? 0) + row.mount);
    }
    const top = (map: Map<string, number>): string | undefined => [...map].sort((a, b) => b[1] - a[1])[0]?.[0];
    expect(top(items)).toBe('음료');
    expect(top(amount)).toBe('담배');
    const observedTotal = Object.values(DIVISION_MIX).reduce((sum, count) => sum + count, 0);
    for (const [division, count] of Object.entries(DIVISION_MIX)) {
      expect(Math.abs((items.get(division) ?? 0) / rows.length - count / observedTotal), division).toBeLessThan(0.02);
    }
  });

  it('groups line items into receipts on one POS, one date and nearly one time', () => {
    const receipts = new Map<string, RawTransaction[]>();
    for (const row of rows) {
      const items = receipts.get(receiptKey(row)) ?? [];
      items.push(row);
      receipts.set(receiptKey(row), items);
    }
    const multi = [...receipts.values()].filter((items) => items.length > 1);
    expect(rows.length / receipts.size).toBeGreaterThan(1.4);
    expect(rows.length / receipts.size).toBeLessThan(2);
    expect(multi.length).toBeGreaterThan(receipts.size / 4);
    const spread = [...receipts.values()].filter((items) => {
      const times = items.map(seconds);
      return Math.max(...times) - Math.min(...times) > 180 || new Set(items.map((row) => row.tr_time)).size > 1;
    });
    expect(spread).toEqual([]);
    expect(rows.every((row) => /^[1-9]\d{0,3}$/.test(row.receipt_num))).toBe(true);
    expect(new Set(rows.map(primaryKeyOf)).size).toBe(rows.length);
  });

  it('prices each product at one stable unit price: mount = qty × price, ending in 00 or 50', () => {
    const unitPrices = new Map<string, Set<number>>();
    for (const row of rows) unitPrices.set(row.product_cd, (unitPrices.get(row.product_cd) ?? new Set()).add(row.mount / row.qty));
    expect([...unitPrices].filter(([, prices]) => prices.size !== 1)).toEqual([]);
    const wrong = rows.filter((row) => {
      const price = unitPriceOf(products.get(row.product_cd) ?? { product_cd: row.product_cd, division_name: '' });
      return row.mount !== row.qty * price || price % 50 !== 0 || price <= 0;
    });
    expect(wrong).toEqual([]);
    expect(unitPriceOf({ product_cd: '88017099', division_name: '담배' })).toBe(unitPriceOf({ product_cd: '88017099', division_name: '담배' }));
  });

  it('draws quantities mostly 1, sometimes 2–3, rarely more', () => {
    const share = (test: (qty: number) => boolean): number => rows.filter((row) => test(row.qty)).length / rows.length;
    expect(rows.every((row) => Number.isInteger(row.qty) && row.qty >= 1 && row.qty <= 10)).toBe(true);
    expect(share((qty) => qty === 1)).toBeGreaterThan(0.8);
    expect(share((qty) => qty === 2 || qty === 3)).toBeGreaterThan(0.08);
    expect(share((qty) => qty > 3)).toBeLessThan(0.03);
  });

  it('uses only real product codes with a skewed popularity', () => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.product_cd, (counts.get(row.product_cd) ?? 0) + 1);
    expect([...counts.keys()].every((code) => products.has(code))).toBe(true);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top = sorted.slice(0, Math.ceil(products.size / 100)).reduce((sum, count) => sum + count, 0);
    expect(top / rows.length).toBeGreaterThan(0.25);
  });

  it('scales to a chain: N stores, the scenario density each, interleaved in time', () => {
    const week = { from: '2015-03-02', to: '2015-03-08' };
    const single = [...generateTransactions(week)].length;
    const chain = [...generateTransactions({ ...week, stores: 3 })];
    expect(single).toBe(Math.round((94_498 * 7) / 181));
    expect(chain).toHaveLength(3 * single);
    const perStore = new Map<string, number>();
    for (const row of chain) perStore.set(`${row.store_cd} ${row.store_name}`, (perStore.get(`${row.store_cd} ${row.store_name}`) ?? 0) + 1);
    expect([...perStore.keys()].sort()).toEqual(['12345 등촌점', '12346 염창점', '12347 가양점']);
    for (const count of perStore.values()) expect(Math.abs(count - single)).toBeLessThan(single * 0.1);
    expect(chain.every((row, i) => i === 0 || seconds(row) >= seconds(chain[i - 1]!))).toBe(true);
    expect([...generateTransactions({ ...week, stores: 3, rows: 1_000 })]).toHaveLength(1_000);
  });

  it('adds POS terminals when a day has more receipts than 4-digit numbers, keeping receipts unique', () => {
    const busy = [...generateTransactions({ rows: 40_000, from: '2015-01-05', to: '2015-01-05' })];
    const pos = new Set(busy.map((row) => row.pos_num));
    expect(pos.size).toBeGreaterThan(1);
    const owners = new Map<string, number>();
    // A receipt's items are consecutive in its POS's sequence of receipt starts: store+POS+date+number never repeats.
    const reused = busy.filter((row) => {
      const start = owners.get(receiptKey(row)) ?? seconds(row);
      owners.set(receiptKey(row), start);
      return seconds(row) - start > 180;
    });
    expect(reused).toEqual([]);
    expect(busy.every((row) => Number(row.receipt_num) <= 9_999)).toBe(true);
  });

  it('generates from a caller-supplied catalogue, never repeating a product within a receipt', () => {
    const tiny = loadProducts().filter((product) => product.division_name === '담배').slice(0, 2);
    const sold = [...generateTransactions({ rows: 2_000, from: '2015-01-01', to: '2015-01-03', products: tiny })];
    expect(new Set(sold.map((row) => row.product_cd))).toEqual(new Set(tiny.map((product) => product.product_cd)));
    expect(new Set(sold.map(primaryKeyOf)).size).toBe(sold.length);
  });

  it('streams in batches of the requested size', () => {
    const batches = [...generateTransactionBatches({ rows: 1_201, from: '2015-01-01', to: '2015-01-03' }, 500)];
    expect(batches.map((batch) => batch.length)).toEqual([500, 500, 201]);
    expect(batches.flat()).toEqual([...generateTransactions({ rows: 1_201, from: '2015-01-01', to: '2015-01-03' })]);
  });

  it('rejects bad options with an error naming the option', () => {
    const error = (options: Parameters<typeof planGeneration>[0]): unknown => {
      try {
        planGeneration(options, (name) => `--${name}`);
      } catch (caught) {
        return caught;
      }
      return undefined;
    };
    expect(error({ from: '2015-02-30' })).toMatchObject({ name: 'ConfigError', key: '--from' });
    expect(error({ to: '2015-7-01' })).toMatchObject({ key: '--to' });
    expect(error({ from: '2015-03-01', to: '2015-02-01' })).toMatchObject({ key: '--to', message: expect.stringContaining('before --from') });
    expect(error({ stores: 0 })).toMatchObject({ key: '--stores' });
    expect(error({ rows: 1.5 })).toMatchObject({ key: '--rows' });
    expect(error({ seed: -1 })).toMatchObject({ key: '--seed' });
    expect(() => [...generateTransactions({ rows: -1 })]).toThrow(ConfigError);
  });
});
