import { formatDay, parseDay } from '../../shared/generator/calendar.js';
import { loadProducts } from '../../shared/generator/products.js';
import { chainStores } from '../../shared/generator/stores.js';
import { generateTransactions, MAX_RECEIPT_NUM } from '../../shared/generator/transactions.js';
import { primaryKeyOf } from '../../shared/primaryKey.js';
import { seededRandom } from '../../shared/random.js';
import type { RawTransaction } from '../../shared/types.js';

/** Options of {@link buildAggregateInput}. */
export interface AggregateInputOptions {
  /** Seed of the generator and of every choice made here. */
  readonly seed: number;
  /** Days of generated transactions, from `from`. */
  readonly days: number;
  /** Stores in the chain. */
  readonly stores: number;
  /** Share of phase-1 rows sent twice (a byte-identical copy a few lines later), 0–1. */
  readonly duplicateRate: number;
  /** Most seconds between the two rows of a swapped pair: keep it within the watermark's bound. @default 5 */
  readonly outOfOrderSeconds?: number;
  /** Late rows in phase 2. */
  readonly lateCount: number;
  /** Share of eligible adjacent pairs (0 < gap ≤ `outOfOrderSeconds`) that are swapped, 0–1. @default 0.05 */
  readonly swapRate?: number;
  /** First day, `YYYY-MM-DD`. @default '2015-01-01' */
  readonly from?: string;
  /** Generated line items in total. @default the generator's density (about 522 per store and day) */
  readonly rows?: number;
}

/** A seeded input for the aggregate stage, in two phases. */
export interface AggregateInput {
  /** JSON lines (raw shape) to produce first: generated rows, with duplicates, swaps and malformed lines. */
  readonly phase1: string[];
  /** Late rows, to produce once the pipeline has drained phase 1: their windows have fired. */
  readonly phase2: string[];
  /** Primary keys of the phase-2 rows, which the pipeline must drop as late. */
  readonly latePks: Set<string>;
  /** Malformed lines in phase 1 (one not JSON, one missing `mount`). */
  readonly malformed: number;
  /** Byte-identical copies in phase 1. */
  readonly duplicates: number;
  /** Adjacent pairs of phase-1 rows sent in reverse time order. */
  readonly swaps: number;
}

const HOUR_MS = 3_600_000;
const LATE_MARGIN_MS = 48 * HOUR_MS;

const epochMs = (trDatetime: string): number => Date.parse(`${trDatetime.slice(0, 10)}T${trDatetime.slice(11)}Z`);

/** Swaps non-overlapping adjacent pairs whose gap is positive and at most `maxMs`, so no row trails the maximum seen before it by more than `maxMs`. */
function swapPairs(rows: RawTransaction[], times: readonly number[], maxMs: number, rate: number, random: () => number): number {
  let swaps = 0;
  for (let i = 0; i + 1 < rows.length; i++) {
    const gap = (times[i + 1] as number) - (times[i] as number);
    if (gap > 0 && gap <= maxMs && random() < rate) {
      [rows[i], rows[i + 1]] = [rows[i + 1] as RawTransaction, rows[i] as RawTransaction];
      swaps += 1;
      i += 1;
    }
  }
  return swaps;
}

/** Sends a share of the lines again, byte for byte, right after the original. */
function withCopies(lines: readonly string[], rate: number, random: () => number): { lines: string[]; copies: number } {
  const out: string[] = [];
  const waiting: { due: number; line: string }[] = [];
  let copies = 0;
  lines.forEach((line, index) => {
    out.push(line);
    // A resend follows its original at once, as a producer's retry does: a copy sent later, behind
    // rows minutes newer, would be late by the watermark's rules if its path won the dedupe race.
    if (random() < rate) waiting.push({ due: index, line });
    for (let k = 0; k < waiting.length; ) {
      const entry = waiting[k] as { due: number; line: string };
      if (entry.due > index) k += 1;
      else {
        out.push(entry.line);
        waiting.splice(k, 1);
        copies += 1;
      }
    }
  });
  for (const { line } of waiting) out.push(line);
  return { lines: out, copies: copies + waiting.length };
}

/** `lateCount` new rows between the first event time and two days before the last: every window they fall in has fired. */
function lateRows(options: AggregateInputOptions, firstMs: number, lastMs: number, random: () => number): RawTransaction[] {
  if (options.lateCount === 0) return [];
  const span = Math.floor((lastMs - LATE_MARGIN_MS - firstMs) / 1000);
  if (span < 1) throw new RangeError(`late rows need more than two days of events; the range ${new Date(firstMs).toISOString()}..${new Date(lastMs).toISOString()} is too short`);
  const products = loadProducts();
  const stores = chainStores(options.stores);
  return Array.from({ length: options.lateCount }, (_, i) => {
    const at = new Date(firstMs + (1 + Math.floor(random() * span)) * 1000).toISOString();
    const store = stores[Math.floor(random() * stores.length)] as (typeof stores)[number];
    const product = products[Math.floor(random() * products.length)] as (typeof products)[number];
    const qty = 1 + Math.floor(random() * 3);
    return {
      tr_date: at.slice(0, 10),
      tr_time: String(Number(at.slice(11, 13))),
      store_cd: store.store_cd,
      store_name: store.store_name,
      pos_num: '1',
      // Receipt numbers above MAX_RECEIPT_NUM never come out of the generator, so the keys are new.
      receipt_num: String(MAX_RECEIPT_NUM + 1 + i),
      product_cd: product.product_cd,
      qty,
      mount: qty * (500 + 100 * Math.floor(random() * 40)),
      tr_datetime: `${at.slice(0, 10)} ${at.slice(11, 19)}`,
    };
  });
}

/**
 * Builds a seeded input for the aggregate stage from the project's transaction generator.
 *
 * Phase 1 is the generated rows in time order, except for a few adjacent pairs swapped (at most
 * `outOfOrderSeconds` apart, so within the watermark), with a share of rows sent again as
 * byte-identical copies shortly after the original (dedupe drops them) and two malformed lines
 * at seeded positions. Phase 2 holds `lateCount` new valid rows (new receipt numbers, real
 * products) timed between the first event of phase 1 and two days before its last, so every
 * window they belong to has fired by the time they arrive.
 * @param options - see {@link AggregateInputOptions}
 * @throws RangeError when late rows are asked for and the range is not longer than two days
 */
export function buildAggregateInput(options: AggregateInputOptions): AggregateInput {
  const random = seededRandom(options.seed ^ 0x0a66_1e55);
  const fromDay = parseDay(options.from ?? '2015-01-01', 'from');
  const generated = [...generateTransactions({ seed: options.seed, from: formatDay(fromDay), to: formatDay(fromDay + options.days - 1), stores: options.stores, rows: options.rows })];
  const times = generated.map((row) => epochMs(row.tr_datetime));
  const swaps = swapPairs(generated, times, (options.outOfOrderSeconds ?? 5) * 1000, options.swapRate ?? 0.05, random);
  const { lines, copies } = withCopies(generated.map((row) => JSON.stringify(row)), options.duplicateRate, random);

  const template = generated[0];
  const malformed = [`{"tr_date": "${formatDay(fromDay)}", "store_cd": broken ${options.seed}`];
  if (template) {
    const { mount: _mount, ...withoutMount } = { ...template, receipt_num: String(MAX_RECEIPT_NUM + 500_000) };
    malformed.push(JSON.stringify(withoutMount));
  }
  for (const line of malformed) lines.splice(Math.floor(random() * (lines.length + 1)), 0, line);

  // The generator yields rows in time order, so the first and last times bound them all.
  const late = generated.length === 0 ? [] : lateRows(options, times[0] as number, times[times.length - 1] as number, random);
  return {
    phase1: lines,
    phase2: late.map((row) => JSON.stringify(row)),
    latePks: new Set(late.map(primaryKeyOf)),
    malformed: malformed.length,
    duplicates: copies,
    swaps,
  };
}
