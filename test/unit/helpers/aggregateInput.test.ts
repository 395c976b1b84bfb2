import { describe, expect, it } from 'vitest';
import { generateTransactions } from '../../../shared/generator/transactions.js';
import { loadProducts } from '../../../shared/generator/products.js';
import { primaryKeyOf } from '../../../shared/primaryKey.js';
import { validateRawTransaction } from '../../../shared/schema/rawTransaction.js';
import type { RawTransaction } from '../../../shared/types.js';
import { buildAggregateInput, type AggregateInputOptions } from '../../helpers/aggregateInput.js';

const OPTIONS: AggregateInputOptions = { seed: 42, days: 4, stores: 2, duplicateRate: 0.05, lateCount: 12 };

const timeOf = (row: RawTransaction): number => Date.parse(`${row.tr_datetime.slice(0, 10)}T${row.tr_datetime.slice(11)}Z`);

/** The valid rows of phase 1 in order, first occurrences only, and the copies with their distance to the original. */
function readPhase1(lines: readonly string[]) {
  const firstIndex = new Map<string, number>();
  const firsts: RawTransaction[] = [];
  const copyLags: number[] = [];
  let invalid = 0;
  lines.forEach((text, index) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      invalid += 1;
      return;
    }
    const checked = validateRawTransaction(value);
    if (!checked.ok) {
      invalid += 1;
      return;
    }
    const seen = firstIndex.get(text);
    if (seen === undefined) {
      firstIndex.set(text, index);
      firsts.push(checked.value);
    } else copyLags.push(index - seen);
  });
  return { firsts, copyLags, invalid };
}

describe('Helper: buildAggregateInput', () => {
  const input = buildAggregateInput(OPTIONS);
  const { firsts, copyLags, invalid } = readPhase1(input.phase1);

  it('sends every generated row once, plus byte-identical copies a few lines after the original', () => {
    const generated = [...generateTransactions({ seed: OPTIONS.seed, from: '2015-01-01', to: '2015-01-04', stores: OPTIONS.stores })];
    expect(firsts.map(primaryKeyOf).sort()).toEqual(generated.map(primaryKeyOf).sort());
    expect(copyLags).toHaveLength(input.duplicates);
    expect(input.duplicates / generated.length).toBeGreaterThan(0.03);
    expect(input.duplicates / generated.length).toBeLessThan(0.07);
    for (const lag of copyLags) expect(lag).toBeGreaterThanOrEqual(1);
    // At most 8 lines later, plus the copies and malformed lines that can fall in between.
    expect(Math.max(...copyLags)).toBeLessThanOrEqual(8 + 8 + input.malformed);
    expect(input.phase1.length).toBe(generated.length + input.duplicates + input.malformed);
  });

  it('swaps rows out of order only within outOfOrderSeconds of the latest time sent before them', () => {
    let latest = -Infinity;
    let inversions = 0;
    for (const row of firsts) {
      const time = timeOf(row);
      if (time < latest) {
        inversions += 1;
        expect(latest - time).toBeLessThanOrEqual(5_000);
      }
      latest = Math.max(latest, time);
    }
    expect(input.swaps).toBeGreaterThan(0);
    expect(inversions).toBe(input.swaps);
  });

  it('includes the malformed lines it reports', () => {
    expect(input.malformed).toBe(2);
    expect(invalid).toBe(input.malformed);
  });

  it('makes late rows new, valid, of real products, and fired: between the first event and two days before the last', () => {
    const products = new Set(loadProducts().map((product) => product.product_cd));
    const phase1Pks = new Set(firsts.map(primaryKeyOf));
    const times = firsts.map(timeOf);
    const [first, last] = [Math.min(...times), Math.max(...times)];
    expect(input.phase2).toHaveLength(OPTIONS.lateCount);
    const late = input.phase2.map((text) => {
      const checked = validateRawTransaction(JSON.parse(text));
      if (!checked.ok) throw new Error(checked.message);
      return checked.value;
    });
    expect(new Set(late.map(primaryKeyOf))).toEqual(input.latePks);
    expect(input.latePks.size).toBe(OPTIONS.lateCount);
    for (const row of late) {
      expect(phase1Pks.has(primaryKeyOf(row))).toBe(false);
      expect(products.has(row.product_cd)).toBe(true);
      expect(timeOf(row)).toBeGreaterThan(first);
      expect(timeOf(row)).toBeLessThanOrEqual(last - 48 * 3_600_000);
    }
    const phase1Receipts = new Set(firsts.map((row) => `${row.store_cd}|${row.pos_num}|${row.tr_date}|${row.receipt_num}`));
    for (const row of late) expect(phase1Receipts.has(`${row.store_cd}|${row.pos_num}|${row.tr_date}|${row.receipt_num}`)).toBe(false);
  });

  it('gives the same input for the same seed', () => {
    const again = buildAggregateInput(OPTIONS);
    expect(again.phase1).toEqual(input.phase1);
    expect(again.phase2).toEqual(input.phase2);
  });

  it('refuses late rows when the range is not longer than two days', () => {
    expect(() => buildAggregateInput({ ...OPTIONS, days: 2 })).toThrow(RangeError);
    expect(buildAggregateInput({ ...OPTIONS, days: 2, lateCount: 0 }).phase2).toEqual([]);
  });
});
