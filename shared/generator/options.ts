import { SCENARIO } from '../constants.js';
import { ConfigError } from '../errors.js';
import type { Product } from '../types.js';
import { parseDay } from './calendar.js';
import { loadProducts } from './products.js';
import { chainStores, type Store } from './stores.js';

/** The seed used when none is given, so `eddy generate` is reproducible out of the box. */
export const DEFAULT_SEED = 20_150_101;

/** Most stores a chain may have (store codes stay five digits). */
export const MAX_STORES = 10_000;

/** Longest range in days (about a century). */
export const MAX_DAYS = 36_600;

/** Days of the scenario (2015-01-01..2015-06-30, 181). */
export const SCENARIO_DAYS = parseDay(SCENARIO.to, 'to') - parseDay(SCENARIO.from, 'from') + 1;

/** Options of {@link generateTransactions}. */
export interface GenerateOptions {
  /**
   * Line items in total, over all stores. @default stores × round(94,498 × days / 181): each
   * store keeps the scenario's density of about 522 line items a day, so the default range
   * gives exactly 94,498 per store.
   */
  readonly rows?: number;
  /** Seed of the pseudo-random generator; same options, same rows. @default DEFAULT_SEED */
  readonly seed?: number;
  /** First day, `YYYY-MM-DD`. @default '2015-01-01' */
  readonly from?: string;
  /** Last day, inclusive. @default '2015-06-30' */
  readonly to?: string;
  /** Stores in the chain, each with the same profile. @default 1 */
  readonly stores?: number;
  /** The product dimension. @default loadProducts() (data/products.csv) */
  readonly products?: readonly Product[];
}

/** Options after defaults and validation. */
export interface GeneratePlan {
  readonly rows: number;
  readonly seed: number;
  /** First day as days since 1970-01-01. */
  readonly fromDay: number;
  readonly days: number;
  readonly stores: readonly Store[];
  readonly products: readonly Product[];
}

/**
 * Applies defaults and validates, throwing a {@link ConfigError} that names the option.
 * @param options - what the caller set
 * @param keyOf - how to name an option in errors; the CLI passes `(name) => '--' + name`
 */
export function planGeneration(options: GenerateOptions = {}, keyOf: (name: string) => string = (name) => name): GeneratePlan {
  const integer = (name: 'rows' | 'seed' | 'stores', value: number, min: number, max: number): number => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(keyOf(name), `expected an integer ≥ ${min} and ≤ ${max}, got '${String(value)}'`);
    }
    return value;
  };
  const fromDay = parseDay(options.from ?? SCENARIO.from, keyOf('from'));
  const toDay = parseDay(options.to ?? SCENARIO.to, keyOf('to'));
  if (toDay < fromDay) throw new ConfigError(keyOf('to'), `must not be before ${keyOf('from')} (${options.from ?? SCENARIO.from}), got '${options.to}'`);
  const days = toDay - fromDay + 1;
  if (days > MAX_DAYS) throw new ConfigError(keyOf('to'), `the range is ${days} days, more than ${MAX_DAYS}`);
  const storeCount = integer('stores', options.stores ?? 1, 1, MAX_STORES);
  const rows = options.rows ?? storeCount * Math.round((SCENARIO.rows * days) / SCENARIO_DAYS);
  return {
    rows: integer('rows', rows, 0, Number.MAX_SAFE_INTEGER),
    seed: integer('seed', options.seed ?? DEFAULT_SEED, 0, 0xffff_ffff),
    fromDay,
    days,
    stores: chainStores(storeCount),
    products: options.products ?? loadProducts(),
  };
}
