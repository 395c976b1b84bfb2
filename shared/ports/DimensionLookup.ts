/**
 * Looks up dimension rows (e.g. products) by key, many at once. Missing keys are absent from
 * the result. Throws a retryable error when the store cannot answer.
 */
export interface DimensionLookup<T> {
  getMany(keys: readonly string[]): Promise<ReadonlyMap<string, T>>;
}

/**
 * A dimension small enough to hold whole: read every row at once (Flink's `lookup.cache =
 * 'FULL'`). Throws a retryable error when the store cannot answer.
 */
export interface DimensionSnapshot<T> {
  scanAll(): Promise<ReadonlyMap<string, T>>;
}
