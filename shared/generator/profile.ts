/**
 * The shape of a store's day and basket, taken from the facts about the original data
 * (data/README.md): the hourly profile of an observed weekday, the division mix of line items,
 * and the sizes of receipts and quantities seen in the 89 sample records.
 */

/**
 * Relative sales by hour of the day (index = hour). Hours 1–16 are the observed weekday
 * (2015-01-05, KRW); the README has no figures for 17–24 h, so those follow its description
 * (busier evenings and late night) at a level above the afternoon. Quiet 4–6 h, open 24 h.
 */
export const HOURLY_PROFILE: readonly number[] = [
  70_000, 51_400, 67_650, 50_200, 18_000, 18_500, 11_200, 33_700, 69_100, 32_700, 32_850, 67_050,
  58_500, 49_940, 49_170, 69_900, 67_150, 72_000, 80_000, 86_000, 92_000, 95_000, 90_000, 80_000,
];

/** Relative volume by day of the week (index = `Date#getUTCDay()`, 0 = Sunday): Friday and Saturday busier. */
export const WEEKDAY_PROFILE: readonly number[] = [0.94, 0.97, 0.97, 0.98, 1, 1.08, 1.06];

/**
 * Line items by division in one observed stretch of the stream (README). Divisions of the
 * catalogue not listed (gift sets, 즉석조리, 공코드대) get {@link UNLISTED_DIVISION_WEIGHT}.
 */
export const DIVISION_MIX: Readonly<Record<string, number>> = {
  음료: 135,
  담배: 104,
  과자류: 86,
  가공식사제품: 56,
  간편식사: 54,
  주류: 21,
  '빵/떡/디저트': 16,
  생활잡화: 16,
  안주류: 14,
  식재료: 10,
  신변잡화: 10,
  의약건강기능: 8,
  아이스크림: 4,
  유가증권: 4,
  '취미/레저': 2,
  서비스상품: 1,
};

/** Weight of a division the observed mix does not list: rare, but not absent. */
export const UNLISTED_DIVISION_WEIGHT = 0.3;

/** Zipf exponent of product popularity inside a division (rank r has weight 1 / r^s). */
export const ZIPF_EXPONENT = 1;

/** A discrete distribution: `values[i]` with probability `weights[i] / Σ weights`. */
export interface Distribution {
  readonly values: readonly number[];
  readonly weights: readonly number[];
}

/** Items per receipt: mostly one, sometimes a few (the sample: 89 items in 54 receipts). */
export const RECEIPT_SIZE: Distribution = { values: [1, 2, 3, 4, 5, 6, 8], weights: [60, 23, 10, 4, 1.6, 0.9, 0.5] };

/** Quantity of a line item: mostly 1, sometimes 2–3, rarely more (the sample has 5, 7 and 10). */
export const QUANTITY: Distribution = { values: [1, 2, 3, 4, 5, 6, 10], weights: [84, 9, 5, 0.8, 0.6, 0.3, 0.3] };

/** Quantity of a cigarette line item: nearly always one pack. */
export const TOBACCO_QUANTITY: Distribution = { values: [1, 2, 3], weights: [94, 5, 1] };

/**
 * Seconds between two scanned items of one receipt (at least this many, plus up to
 * {@link ITEM_GAP_JITTER_SECONDS}), so a receipt's items share nearly the same time.
 */
export const ITEM_GAP_SECONDS = 2;

/** Random extra seconds between two items of a receipt. */
export const ITEM_GAP_JITTER_SECONDS = 18;

/** Random factor range of each store-day-hour's volume around the profile, so days differ. */
export const CELL_NOISE = { min: 0.7, max: 1.3 } as const;

/**
 * Builds a sampler for a distribution: a function of a uniform [0, 1) returning a value.
 * @param distribution - values and weights
 */
export function createSampler(distribution: Distribution): (uniform: number) => number {
  const total = distribution.weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const weight of distribution.weights) cumulative.push((running += weight / total));
  const { values } = distribution;
  const last = values.length - 1;
  return (uniform) => {
    for (let i = 0; i < last; i++) if (uniform < (cumulative[i] as number)) return values[i] as number;
    return values[last] as number;
  };
}
