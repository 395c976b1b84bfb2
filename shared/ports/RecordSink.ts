/** One record to put on a stream. */
export interface OutputRecord {
  /** The payload: UTF-8 text (usually one JSON document) or bytes. */
  readonly data: string | Uint8Array;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
}

/** What a {@link RecordSink} did with a call's records. */
export interface PutOutcome {
  /** Indexes (into the input) of records still failing after every retry; empty on success. */
  readonly failed: readonly number[];
  /** Number of PutRecords calls made (including retries), for cost accounting. */
  readonly calls: number;
  /** Entries sent again after a failed entry or a throttled call; absent when the sink does not count. */
  readonly retries?: number;
}

/**
 * A stream to write records to. Implementations split the input into calls within the
 * service limits (500 records / 5 MiB per PutRecords), retry only the entries that failed
 * (`FailedRecordCount`, throttling) with backoff, and report what still failed: the caller
 * turns those into `batchItemFailures` or an error, never drops them.
 */
export interface RecordSink {
  put(records: readonly OutputRecord[]): Promise<PutOutcome>;
}
