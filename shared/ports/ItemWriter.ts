/** What an {@link ItemWriter} did with a call's items. */
export interface WriteOutcome {
  /** Indexes (into the input) of items still unwritten after every retry; empty on success. */
  readonly failed: readonly number[];
  /** Batch calls made, retries included. */
  readonly calls: number;
  /** Items sent again (unprocessed items and throttled calls). */
  readonly retries: number;
}

/**
 * A table to put whole items into (an idempotent overwrite by key). Implementations batch
 * within the service limits, retry only what was left unprocessed with backoff, and report
 * what still failed rather than dropping it.
 */
export interface ItemWriter<T extends object = Readonly<Record<string, unknown>>> {
  write(items: readonly T[]): Promise<WriteOutcome>;
}
