import type { Product } from '../types.js';

/**
 * Stable unit prices. The catalogue has no prices, so each product gets one derived from its
 * `product_cd` alone (the same product costs the same in every run, seed and store), placed
 * in a range typical of its division in 2015 Korean convenience stores and rounded like a
 * shelf price: to 50 KRW below 10,000 and to 500 KRW above.
 */

/** A price band: log-normal around `median`, clamped to `[min, max]`. */
export interface PriceBand {
  readonly median: number;
  /** Standard deviation of the natural log of the price. */
  readonly spread: number;
  readonly min: number;
  readonly max: number;
}

/** Price bands by division; {@link DEFAULT_BAND} for the rest. */
export const DIVISION_PRICES: Readonly<Record<string, PriceBand>> = {
  음료: { median: 1_350, spread: 0.35, min: 500, max: 6_000 },
  과자류: { median: 950, spread: 0.4, min: 300, max: 6_000 },
  가공식사제품: { median: 1_250, spread: 0.45, min: 500, max: 8_000 },
  간편식사: { median: 1_400, spread: 0.4, min: 700, max: 6_000 },
  주류: { median: 2_200, spread: 0.7, min: 1_000, max: 60_000 },
  '빵/떡/디저트': { median: 1_100, spread: 0.35, min: 500, max: 5_000 },
  생활잡화: { median: 2_700, spread: 0.6, min: 150, max: 20_000 },
  안주류: { median: 1_900, spread: 0.4, min: 1_000, max: 9_000 },
  식재료: { median: 1_700, spread: 0.5, min: 300, max: 9_000 },
  신변잡화: { median: 3_000, spread: 0.5, min: 500, max: 20_000 },
  의약건강기능: { median: 1_500, spread: 0.5, min: 500, max: 10_000 },
  아이스크림: { median: 1_500, spread: 0.5, min: 500, max: 9_000 },
  유가증권: { median: 10_000, spread: 0.5, min: 2_500, max: 50_000 },
  '취미/레저': { median: 5_000, spread: 0.5, min: 1_000, max: 30_000 },
  서비스상품: { median: 1_500, spread: 0, min: 1_500, max: 1_500 },
};

/** Band of a division without its own (gift sets, 즉석조리, 공코드대). */
export const DEFAULT_BAND: PriceBand = { median: 5_000, spread: 0.8, min: 1_000, max: 50_000 };

/** Cigarette pack prices around the 2015 tax rise (imported 2,500–2,700 KRW before, 4,500–4,700 after). */
export const TOBACCO_PRICES: readonly number[] = [2_500, 2_700, 2_700, 4_500, 4_500, 4_500, 4_700];

/** FNV-1a hash of a string, 32 bits. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Three uniforms in [0, 1) from one hash (a 32-bit mix per draw). */
function uniformsOf(hash: number): [number, number, number] {
  const out: number[] = [];
  let state = hash;
  for (let i = 0; i < 3; i++) {
    state = Math.imul(state ^ (state >>> 16), 0x45d9f3b) >>> 0;
    state = Math.imul(state ^ (state >>> 16), 0x45d9f3b) >>> 0;
    state = (state ^ (state >>> 16)) >>> 0;
    out.push(state / 4294967296);
    state = (state + 0x9e3779b9) >>> 0;
  }
  return out as [number, number, number];
}

/** Rounds like a shelf price: to 50 KRW below 10,000, to 500 KRW above. */
export function roundPrice(price: number): number {
  const step = price < 10_000 ? 50 : 500;
  return Math.max(step, Math.round(price / step) * step);
}

/**
 * The unit price of a product in KRW, a pure function of its code and division.
 * @param product - the product (only `product_cd` and `division_name` are read)
 */
export function unitPriceOf(product: Pick<Product, 'product_cd' | 'division_name'>): number {
  const [a, b, c] = uniformsOf(hashString(product.product_cd));
  if (product.division_name === '담배') return TOBACCO_PRICES[Math.floor(a * TOBACCO_PRICES.length)] as number;
  const band = DIVISION_PRICES[product.division_name] ?? DEFAULT_BAND;
  // Sum of three uniforms, centred and scaled: close enough to a standard normal for prices.
  const normal = (a + b + c - 1.5) * 2;
  const price = band.median * Math.exp(band.spread * normal);
  return roundPrice(Math.min(band.max, Math.max(band.min, price)));
}
