/**
 * Looks up dimension rows (e.g. products) by key, many at once. Missing keys are absent from
 * the result. Throws a retryable error when the store cannot answer.
 */
export interface DimensionLookup<T> {
  getMany(keys: readonly string[]): Promise<ReadonlyMap<string, T>>;
}
