import type { Product } from '../types.js';
import { hashString, unitPriceOf } from './prices.js';
import { DIVISION_MIX, UNLISTED_DIVISION_WEIGHT, ZIPF_EXPONENT } from './profile.js';

/**
 * The product catalogue prepared for sampling: one cumulative weight per product, where a
 * product's weight is its division's share of line items (the observed mix) times its Zipf
 * share inside the division. The popularity rank inside a division comes from a hash of
 * `product_cd`, so the store's best sellers are the same in every run and seed.
 */
export interface Catalogue {
  readonly products: readonly Product[];
  /** Unit price in KRW of `products[i]`. */
  readonly prices: Int32Array;
  /** Cumulative sampling weight, normalized so the last entry is 1. */
  readonly cumulative: Float64Array;
  /** True for `products[i]` in 담배 (cigarettes are sold a pack at a time). */
  readonly tobacco: Uint8Array;
}

const built = new WeakMap<readonly Product[], Catalogue>();

/**
 * Prepares (once per products array) the catalogue for {@link pickProduct}.
 * @param products - the product dimension, e.g. from `loadProducts()`
 */
export function buildCatalogue(products: readonly Product[]): Catalogue {
  const existing = built.get(products);
  if (existing) return existing;
  if (products.length === 0) throw new Error('the product catalogue is empty');
  const byDivision = new Map<string, Product[]>();
  for (const product of products) {
    const list = byDivision.get(product.division_name) ?? [];
    list.push(product);
    byDivision.set(product.division_name, list);
  }
  const ordered: Product[] = [];
  const weights: number[] = [];
  for (const [division, list] of [...byDivision].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((a, b) => hashString(a.product_cd) - hashString(b.product_cd) || (a.product_cd < b.product_cd ? -1 : 1));
    const zipf = list.map((_, rank) => 1 / (rank + 1) ** ZIPF_EXPONENT);
    const zipfTotal = zipf.reduce((sum, weight) => sum + weight, 0);
    const share = DIVISION_MIX[division] ?? UNLISTED_DIVISION_WEIGHT;
    list.forEach((product, rank) => {
      ordered.push(product);
      weights.push((share * (zipf[rank] as number)) / zipfTotal);
    });
  }
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative = new Float64Array(ordered.length);
  let running = 0;
  weights.forEach((weight, i) => (cumulative[i] = running += weight / total));
  cumulative[ordered.length - 1] = 1;
  const catalogue: Catalogue = {
    products: ordered,
    prices: Int32Array.from(ordered, (product) => unitPriceOf(product)),
    cumulative,
    tobacco: Uint8Array.from(ordered, (product) => (product.division_name === '담배' ? 1 : 0)),
  };
  built.set(products, catalogue);
  return catalogue;
}

/**
 * Picks a product index by popularity (binary search over the cumulative weights).
 * @param catalogue - from {@link buildCatalogue}
 * @param uniform - a uniform draw in [0, 1)
 */
export function pickProduct(catalogue: Catalogue, uniform: number): number {
  const { cumulative } = catalogue;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (uniform < (cumulative[mid] as number)) high = mid;
    else low = mid + 1;
  }
  return low;
}
