import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import { DYNAMODB_LIMITS } from '../constants.js';
import type { ItemWriter, WriteOutcome } from '../ports/ItemWriter.js';
import { retryPartial, type RetryOptions } from '../retry.js';

/** Options of {@link DynamoDBItemWriter}. */
export interface DynamoDBItemWriterOptions extends RetryOptions {
  /** Key attribute names (partition key, then sort key if any): how unprocessed items are matched back. */
  readonly keyAttributes: readonly string[];
  /** BatchWriteItem calls in flight at once. @default 8 */
  readonly concurrency?: number;
}

/** Whole-call errors that mean "slow down" (after the SDK's own retries): the call is retried with backoff. */
const THROTTLING_ERRORS: Readonly<Record<string, true>> = {
  ProvisionedThroughputExceededException: true,
  ThrottlingException: true,
  RequestLimitExceeded: true,
};

const chunk = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

/**
 * An {@link ItemWriter} on DynamoDB BatchWriteItem with `PutRequest`s: calls of 25 items
 * (`DYNAMODB_LIMITS.batchWriteMaxItems`), run with bounded concurrency; the `UnprocessedItems`
 * of a call, and a whole throttled call, are sent again with exponential backoff and full
 * jitter. Puts overwrite by key, so writing the same items again leaves the table unchanged.
 * Items in one call must have distinct keys (DynamoDB rejects the call otherwise).
 * @typeParam T - the item type, a plain object of attributes
 */
export class DynamoDBItemWriter<T extends object = Readonly<Record<string, unknown>>> implements ItemWriter<T> {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #options: DynamoDBItemWriterOptions;

  /**
   * @param client - a document client (see `createDynamoDBDocumentClient`)
   * @param tableName - the table
   * @param options - key attributes, concurrency, retry bounds, injectable `sleep` and `random`
   */
  public constructor(client: DynamoDBDocumentClient, tableName: string, options: DynamoDBItemWriterOptions) {
    this.#client = client;
    this.#tableName = tableName;
    this.#options = options;
  }

  #keyOf(item: Readonly<Record<string, unknown>>): string {
    return JSON.stringify(this.#options.keyAttributes.map((name) => item[name]));
  }

  /** Puts `items`; resolves with the indexes still unwritten after every retry. */
  public async write(input: readonly T[]): Promise<WriteOutcome> {
    // Items are plain objects of attributes; the document client marshals them.
    const items = input as unknown as readonly Record<string, unknown>[];
    const indexes = items.map((_, index) => index);
    const failed: number[] = [];
    let calls = 0;
    let retries = 0;
    await forEachConcurrent(chunk(indexes, DYNAMODB_LIMITS.batchWriteMaxItems), this.#options.concurrency ?? 8, async (batch) => {
      const left = await retryPartial(
        batch,
        async (subset, attempt) => {
          if (attempt > 0) retries += subset.length;
          calls++;
          try {
            const out = await this.#client.send(new BatchWriteCommand({ RequestItems: { [this.#tableName]: subset.map((index) => ({ PutRequest: { Item: items[index] as Record<string, unknown> } })) } }));
            const unprocessed = new Set((out.UnprocessedItems?.[this.#tableName] ?? []).map((request) => this.#keyOf(request.PutRequest?.Item ?? {})));
            return unprocessed.size === 0 ? [] : subset.flatMap((index, position) => (unprocessed.has(this.#keyOf(items[index] ?? {})) ? [position] : []));
          } catch (error) {
            if (error instanceof Error && THROTTLING_ERRORS[error.name] === true) return subset.map((_, position) => position);
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
