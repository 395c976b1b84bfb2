import type { DimensionLookup, DimensionSnapshot } from '../ports/DimensionLookup.js';

/** Options of {@link FullCacheDimensionLookup}. */
export interface FullCacheOptions {
  /** How long a snapshot serves before the next lookup reloads it. @default 300_000 (5 min) */
  readonly reloadIntervalMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Flink's `lookup.cache = 'FULL'` for a small dimension: the first lookup reads the whole
 * table (a few Scan pages for the 5,446 products), later lookups are answered from memory until
 * the snapshot is older than the reload interval. Keys the snapshot lacks (rows added since it
 * was taken, or bad keys) are asked of `fallback`, usually a cached point lookup, so a new
 * product is found without waiting for the next reload.
 */
export class FullCacheDimensionLookup<T> implements DimensionLookup<T> {
  private snapshot: ReadonlyMap<string, T> | undefined;
  private loadedAt = 0;
  private loading: Promise<ReadonlyMap<string, T>> | undefined;

  public constructor(
    private readonly source: DimensionSnapshot<T>,
    private readonly fallback: DimensionLookup<T>,
    private readonly options: FullCacheOptions = {},
  ) {}

  public async getMany(keys: readonly string[]): Promise<ReadonlyMap<string, T>> {
    const snapshot = await this.current();
    const found = new Map<string, T>();
    const missing: string[] = [];
    for (const key of keys) {
      const row = snapshot.get(key);
      if (row === undefined) missing.push(key);
      else found.set(key, row);
    }
    if (missing.length === 0) return found;
    for (const [key, row] of await this.fallback.getMany(missing)) found.set(key, row);
    return found;
  }

  private async current(): Promise<ReadonlyMap<string, T>> {
    const now = (this.options.clock ?? Date.now)();
    if (this.snapshot && now - this.loadedAt < (this.options.reloadIntervalMs ?? 300_000)) return this.snapshot;
    this.loading ??= this.source.scanAll().finally(() => (this.loading = undefined));
    this.snapshot = await this.loading;
    this.loadedAt = now;
    return this.snapshot;
  }
}
