import { seededRandom } from '../random.js';
import type { RawTransaction } from '../types.js';
import { apportion } from './apportion.js';
import { formatDay, TWO_DIGITS, weekdayOf } from './calendar.js';
import { buildCatalogue, pickProduct, type Catalogue } from './catalogue.js';
import { planGeneration, type GenerateOptions } from './options.js';
import {
  CELL_NOISE, createSampler, HOURLY_PROFILE, ITEM_GAP_JITTER_SECONDS, ITEM_GAP_SECONDS, QUANTITY,
  RECEIPT_SIZE, TOBACCO_QUANTITY, WEEKDAY_PROFILE,
} from './profile.js';
import type { Store } from './stores.js';

/** Highest receipt number; numbers cycle 1…9999 per store and POS, never zero-padded. */
export const MAX_RECEIPT_NUM = 9_999;

/** Random factor range of a day's volume, so weeks are not copies of each other. */
const DAY_NOISE = { min: 0.9, max: 1.1 } as const;

const HOURS = Array.from({ length: 24 }, (_, hour) => String(hour));
const receiptSize = createSampler(RECEIPT_SIZE);
const quantity = createSampler(QUANTITY);
const tobaccoQuantity = createSampler(TOBACCO_QUANTITY);

/**
 * Generates realistic raw transactions lazily, in chronological order of `tr_datetime`: exactly
 * `rows` line items over every day of the range and every hour (following the observed hourly
 * profile), grouped into receipts on each store's POS, products by Zipf popularity within the
 * observed division mix, `mount = qty × unit price`. Same options, same sequence.
 *
 * Lazy so the producer can stream millions of rows without holding them: memory is one hour.
 * @param options - see {@link GenerateOptions}
 */
export function* generateTransactions(options: GenerateOptions = {}): Generator<RawTransaction, void, undefined> {
  const plan = planGeneration(options);
  const random = seededRandom(plan.seed);
  const catalogue = buildCatalogue(plan.products);
  const storeCount = plan.stores.length;
  // Items of a receipt are distinct products, so a tiny catalogue caps the receipt size.
  const maxReceipt = catalogue.products.length;
  const dayWeights = Array.from({ length: plan.days }, (_, d) => (WEEKDAY_PROFILE[weekdayOf(plan.fromDay + d)] as number) * noise(random, DAY_NOISE));
  const dayRows = apportion(plan.rows, dayWeights, random());
  // Next receipt number per store and POS (index pos - 1); 0 = not drawn yet.
  const nextReceipt = plan.stores.map(() => [] as number[]);
  const cellWeights = new Float64Array(24 * storeCount);
  const rows: RawTransaction[] = [];
  const seconds: number[] = [];
  for (let d = 0; d < plan.days; d++) {
    const date = formatDay(plan.fromDay + d);
    for (let c = 0; c < cellWeights.length; c++) cellWeights[c] = (HOURLY_PROFILE[Math.floor(c / storeCount)] as number) * noise(random, CELL_NOISE);
    const counts = apportion(dayRows[d] as number, cellWeights, random());
    // Enough POS that no POS rings up more than 9,999 receipts a day, so store+POS+date+number is unique.
    const posCounts = plan.stores.map((_, s) => {
      let total = 0;
      for (let h = 0; h < 24; h++) total += counts[h * storeCount + s] as number;
      return Math.max(1, Math.ceil(total / MAX_RECEIPT_NUM));
    });
    const receiptsToday = new Array<number>(storeCount).fill(0);
    for (let h = 0; h < 24; h++) {
      rows.length = 0;
      seconds.length = 0;
      for (let s = 0; s < storeCount; s++) {
        const n = counts[h * storeCount + s] as number;
        if (n === 0) continue;
        const store = plan.stores[s] as Store;
        const prefix = `${date} ${TWO_DIGITS[h]}:`;
        const sizes: number[] = [];
        for (let left = n; left > 0; left -= sizes[sizes.length - 1] as number) sizes.push(Math.min(left, maxReceipt, receiptSize(random())));
        const starts = Float64Array.from(sizes, () => Math.floor(random() * 3600)).sort();
        sizes.forEach((size, i) => {
          const today = receiptsToday[s] as number;
          receiptsToday[s] = today + 1;
          const pos = today % (posCounts[s] as number);
          const counters = nextReceipt[s] as number[];
          const receiptNum = counters[pos] || 1 + Math.floor(random() * MAX_RECEIPT_NUM);
          counters[pos] = (receiptNum % MAX_RECEIPT_NUM) + 1;
          const limit = i + 1 < starts.length ? (starts[i + 1] as number) : 3599;
          receipt(catalogue, random, size, starts[i] as number, limit, (second, product, qty) => {
            seconds.push(second);
            rows.push({
              tr_date: date,
              tr_time: HOURS[h] as string,
              store_cd: store.store_cd,
              store_name: store.store_name,
              pos_num: String(pos + 1),
              receipt_num: String(receiptNum),
              product_cd: (catalogue.products[product] as { product_cd: string }).product_cd,
              qty,
              mount: qty * (catalogue.prices[product] as number),
              tr_datetime: prefix + TWO_DIGITS[Math.floor(second / 60)] + ':' + TWO_DIGITS[second % 60],
            });
          });
        });
      }
      if (storeCount === 1) yield* rows;
      else {
        // Stores were generated one after the other; interleave them by time (stable for ties).
        const order = Array.from(rows.keys()).sort((a, b) => (seconds[a] as number) - (seconds[b] as number) || a - b);
        for (const i of order) yield rows[i] as RawTransaction;
      }
    }
  }
}

/**
 * The same rows as {@link generateTransactions} in arrays of up to `size`, e.g. one PutRecords call.
 * @param options - see {@link GenerateOptions}
 * @param size - rows per batch @default 500
 */
export function* generateTransactionBatches(options: GenerateOptions = {}, size = 500): Generator<RawTransaction[], void, undefined> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  let batch: RawTransaction[] = [];
  for (const row of generateTransactions(options)) {
    batch.push(row);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** A uniform factor in `[min, max)`. */
function noise(random: () => number, range: { readonly min: number; readonly max: number }): number {
  return range.min + random() * (range.max - range.min);
}

/**
 * The line items of one receipt: distinct products (so no two items share a primary key),
 * scanned a few seconds apart from `start`, never past `limit` (the next receipt's start or
 * the hour's last second), which keeps the output in time order.
 */
function receipt(
  catalogue: Catalogue,
  random: () => number,
  size: number,
  start: number,
  limit: number,
  emit: (second: number, product: number, qty: number) => void,
): void {
  const chosen: number[] = [];
  let second = start;
  for (let j = 0; j < size; j++) {
    if (j > 0) second = Math.min(limit, second + ITEM_GAP_SECONDS + Math.floor(random() * ITEM_GAP_JITTER_SECONDS));
    let product = pickProduct(catalogue, random());
    for (let tries = 0; chosen.includes(product) && tries < 20; tries++) product = pickProduct(catalogue, random());
    if (chosen.includes(product)) product = nextUnchosen(chosen, product, catalogue.products.length);
    chosen.push(product);
    emit(second, product, catalogue.tobacco[product] === 1 ? tobaccoQuantity(random()) : quantity(random()));
  }
}

/** The first product index after `product` (cyclically) not already in the receipt. */
function nextUnchosen(chosen: readonly number[], product: number, count: number): number {
  let candidate = product;
  while (chosen.includes(candidate)) candidate = (candidate + 1) % count;
  return candidate;
}
