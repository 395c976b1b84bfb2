import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import { putRecordsChunks, type PutRecordsLimits } from '../batching/putRecordsChunks.js';
import type { OutputRecord, PutOutcome, RecordSink } from '../ports/RecordSink.js';
import { retryPartial, type RetryOptions } from '../retry.js';

/** Options of {@link KinesisRecordSink}. */
export interface KinesisRecordSinkOptions extends RetryOptions {
  /** PutRecords calls in flight at once for one `put`. @default 4 */
  readonly concurrency?: number;
  /** Bounds of one call; the service limits by default. */
  readonly limits?: PutRecordsLimits;
  /** Told each time entries are sent again, e.g. to count or log throttling. */
  readonly onRetry?: (info: RetryInfo) => void;
}

/** What {@link KinesisRecordSinkOptions.onRetry} is told. */
export interface RetryInfo {
  /** Entries about to be sent again. */
  readonly records: number;
  /** Zero-based attempt that is about to run (1 for the first retry). */
  readonly attempt: number;
}

/**
 * Whole-call errors that mean "slow down", thrown by the SDK once its own retries are spent:
 * the call's entries are retried with backoff like failed entries. Anything else is thrown.
 */
const THROTTLING_ERRORS: Readonly<Record<string, true>> = {
  ProvisionedThroughputExceededException: true,
  LimitExceededException: true,
  ThrottlingException: true,
  KMSThrottlingException: true,
};

/** True for an SDK error that is throttling and worth retrying after a backoff. */
export const isKinesisThrottling = (error: unknown): boolean => error instanceof Error && THROTTLING_ERRORS[error.name] === true;

const toEntry = (record: OutputRecord): PutRecordsRequestEntry => ({
  Data: typeof record.data === 'string' ? Buffer.from(record.data, 'utf8') : record.data,
  PartitionKey: record.partitionKey,
  ...(record.explicitHashKey !== undefined ? { ExplicitHashKey: record.explicitHashKey } : {}),
});

/**
 * A {@link RecordSink} on Kinesis PutRecords. Every record is checked against the 1 MiB limit
 * first (a `PoisonRecordError` naming its index, before anything is sent); the records are then
 * packed into calls of at most 500 records / 5 MiB, sent with bounded concurrency, and only the
 * entries a call reports with an `ErrorCode` (`FailedRecordCount` > 0) are sent again, with
 * exponential backoff and full jitter; a throttled call (thrown after the SDK's own retries)
 * is retried whole the same way. What still fails after `maxAttempts` is returned, never dropped.
 *
 * Order: PutRecords does not keep order across retried entries or concurrent calls, so a
 * consumer must not rely on arrival order within a partition key (eddy orders by event time).
 */
export class KinesisRecordSink implements RecordSink {
  readonly #client: KinesisClient;
  readonly #streamName: string;
  readonly #options: KinesisRecordSinkOptions;

  /**
   * @param client - a Kinesis client (see `createKinesisClient`)
   * @param streamName - the stream to put to
   * @param options - concurrency, retry bounds, injectable `sleep` and `random`
   */
  public constructor(client: KinesisClient, streamName: string, options: KinesisRecordSinkOptions = {}) {
    this.#client = client;
    this.#streamName = streamName;
    this.#options = options;
  }

  /** Sends `records`; resolves with the indexes still failing after every retry. */
  public async put(records: readonly OutputRecord[]): Promise<PutOutcome> {
    const chunks = putRecordsChunks(records, this.#options.limits);
    const entries = records.map(toEntry);
    const failed: number[] = [];
    let calls = 0;
    let retries = 0;
    await forEachConcurrent(chunks, this.#options.concurrency ?? 4, async (chunk) => {
      const left = await retryPartial(
        chunk,
        async (subset, attempt) => {
          if (attempt > 0) {
            retries += subset.length;
            this.#options.onRetry?.({ records: subset.length, attempt });
          }
          calls++;
          try {
            const out = await this.#client.send(new PutRecordsCommand({ StreamName: this.#streamName, Records: subset.map((index) => entries[index] as PutRecordsRequestEntry) }));
            if (!out.FailedRecordCount) return [];
            return (out.Records ?? []).flatMap((result, position) => (result.ErrorCode ? [position] : []));
          } catch (error) {
            if (isKinesisThrottling(error)) return subset.map((_, position) => position);
            throw error;
          }
        },
        this.#options,
      );
      failed.push(...left);
    });
    return { failed: failed.sort((a, b) => a - b), calls, retries };
  }
}
