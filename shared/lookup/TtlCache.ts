/**
 * A bounded map whose entries expire: least recently used entries are evicted past
 * `maxEntries`, and an entry older than `ttlMs` is a miss. Module-scope instances survive warm
 * Lambda invocations, which is what makes a warm batch cost no lookups.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  /**
   * @param ttlMs - how long an entry stays valid
   * @param maxEntries - bound on the number of entries @default 100_000
   * @param clock - milliseconds since the epoch @default Date.now
   */
  public constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The value, or undefined when absent or expired. */
  public get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: moving the entry to the end makes eviction least-recently-used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores a value (for `ttlMs`, or the given ttl). */
  public set(key: string, value: V, ttlMs = this.ttlMs): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.clock() + ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Number of entries held (expired ones included until touched). */
  public get size(): number {
    return this.entries.size;
  }
}
