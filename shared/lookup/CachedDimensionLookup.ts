import type { DimensionLookup } from '../ports/DimensionLookup.js';
import { TtlCache } from './TtlCache.js';

/** Options of {@link CachedDimensionLookup}. */
export interface CachedLookupOptions {
  /** How long a found row is reused. @default 300_000 (5 min) */
  readonly ttlMs?: number;
  /** How long a missing key is remembered as missing. @default 30_000 */
  readonly negativeTtlMs?: number;
  /** @default 100_000 */
  readonly maxEntries?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

const MISSING = Symbol('missing');

/**
 * A {@link DimensionLookup} in front of another that remembers answers, found and missing,
 * so that a warm invocation asks the store only for keys it has not seen lately.
 */
export class CachedDimensionLookup<T> implements DimensionLookup<T> {
  private readonly cache: TtlCache<T | typeof MISSING>;
  private readonly negativeTtlMs: number;
  /** Keys answered from the cache and keys asked of the store, since creation. */
  public readonly counts = { hits: 0, misses: 0 };

  public constructor(
    private readonly store: DimensionLookup<T>,
    options: CachedLookupOptions = {},
  ) {
    this.cache = new TtlCache(options.ttlMs ?? 300_000, options.maxEntries ?? 100_000, options.clock ?? Date.now);
    this.negativeTtlMs = options.negativeTtlMs ?? 30_000;
  }

  public async getMany(keys: readonly string[]): Promise<ReadonlyMap<string, T>> {
    const found = new Map<string, T>();
    const toFetch = new Set<string>();
    for (const key of keys) {
      if (found.has(key) || toFetch.has(key)) continue;
      const cached = this.cache.get(key);
      if (cached === undefined) toFetch.add(key);
      else if (cached !== MISSING) found.set(key, cached);
    }
    this.counts.hits += keys.length - toFetch.size;
    this.counts.misses += toFetch.size;
    if (toFetch.size === 0) return found;
    const fetched = await this.store.getMany([...toFetch]);
    for (const key of toFetch) {
      const value = fetched.get(key);
      if (value === undefined) this.cache.set(key, MISSING, this.negativeTtlMs);
      else {
        this.cache.set(key, value);
        found.set(key, value);
      }
    }
    return found;
  }
}
