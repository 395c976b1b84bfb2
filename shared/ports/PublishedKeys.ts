/** What to look for on a stream: which keys, since when, and how a record names its key. */
export interface PublishedKeysQuery {
  /** The stream the records were put to. */
  readonly stream: string;
  /** Epoch milliseconds: records that arrived at or after this time are searched. */
  readonly since: number;
  /** The keys to look for; the search stops once every one is found. */
  readonly wanted: ReadonlySet<string>;
  /** The key of a record, given its data parsed as JSON; `undefined` when it has none. */
  readonly keyOf: (value: unknown) => string | undefined;
}

/**
 * The keys already on a stream. Dedupe asks it on the rare retry path only: a record whose claim
 * it already holds may have been put by an earlier attempt whose answer was lost, and must not be
 * put twice. Reading the stream is the only way to know, since nothing is written after a put.
 */
export interface PublishedKeys {
  /**
   * Answers which of `query.wanted` are on `query.stream` in records that arrived at or after
   * `query.since`. An adapter may start a little earlier (a margin for clock skew between the
   * caller's clock and the stream's arrival timestamps), never later.
   * @returns the wanted keys found (a subset of `query.wanted`)
   */
  find(query: PublishedKeysQuery): Promise<ReadonlySet<string>>;
}
