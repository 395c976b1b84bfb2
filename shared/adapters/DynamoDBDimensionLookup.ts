import { BatchGetCommand, ScanCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DYNAMODB_LIMITS } from '../constants.js';
import { PartialBatchError } from '../errors.js';
import type { DimensionLookup, DimensionSnapshot } from '../ports/DimensionLookup.js';
import { retryPartial, type RetryOptions } from '../retry.js';

/** Whole-call errors that mean "slow down": retried like unprocessed keys. */
const THROTTLING: Readonly<Record<string, true>> = { ProvisionedThroughputExceededException: true, ThrottlingException: true, RequestLimitExceeded: true };

/** Options of {@link DynamoDBDimensionLookup}. */
export interface DynamoDBLookupOptions extends RetryOptions {
  /** Attributes to read; all when absent. */
  readonly attributes?: readonly string[];
  /** BatchGetItem calls in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Parallel Scan segments of {@link DynamoDBDimensionLookup.scanAll}. @default 2 */
  readonly scanSegments?: number;
  /** Strongly consistent point reads (twice the read cost). @default false */
  readonly consistentRead?: boolean;
}

/**
 * Looks up dimension rows in a DynamoDB table keyed by one string attribute, with BatchGetItem
 * (100 keys a call) and `UnprocessedKeys` retried with backoff, or reads the whole table with
 * a parallel Scan. Counts its calls, so tests and benchmarks can show the read cost per record.
 */
export class DynamoDBDimensionLookup<T> implements DimensionLookup<T>, DimensionSnapshot<T> {
  /** BatchGetItem and Scan calls made, retries included. */
  public calls = 0;

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly keyName: string,
    private readonly options: DynamoDBLookupOptions = {},
  ) {}

  public async getMany(keys: readonly string[]): Promise<ReadonlyMap<string, T>> {
    const unique = [...new Set(keys)];
    const found = new Map<string, T>();
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += DYNAMODB_LIMITS.batchGetMaxKeys) chunks.push(unique.slice(i, i + DYNAMODB_LIMITS.batchGetMaxKeys));
    const concurrency = this.options.concurrency ?? 4;
    for (let i = 0; i < chunks.length; i += concurrency) {
      await Promise.all(chunks.slice(i, i + concurrency).map((chunk) => this.fetchChunk(chunk, found)));
    }
    return found;
  }

  public async scanAll(): Promise<ReadonlyMap<string, T>> {
    const rows = new Map<string, T>();
    const { attributes } = this.options;
    const names = attributes ? Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])) : undefined;
    const segments = this.options.scanSegments ?? 2;
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        let start: Record<string, unknown> | undefined;
        do {
          this.calls += 1;
          const page = await this.client.send(
            new ScanCommand({
              TableName: this.tableName,
              Segment: segment,
              TotalSegments: segments,
              ...(start ? { ExclusiveStartKey: start } : {}),
              ...(names ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {}),
            }),
          );
          for (const item of page.Items ?? []) rows.set(String(item[this.keyName]), item as T);
          start = page.LastEvaluatedKey;
        } while (start);
      }),
    );
    return rows;
  }

  private async fetchChunk(chunk: readonly string[], found: Map<string, T>): Promise<void> {
    const { attributes } = this.options;
    const names = attributes ? Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])) : undefined;
    const left = await retryPartial(
      chunk,
      async (subset) => {
        this.calls += 1;
        const output = await this.client
          .send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: subset.map((key) => ({ [this.keyName]: key })),
                ...(this.options.consistentRead ? { ConsistentRead: true } : {}),
                ...(names ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {}),
              },
            },
          }),
          )
          // Throttled after the SDK's own retries: back off and ask for the whole subset again.
          .catch((error: unknown): BatchGetCommandOutput => {
            if (error instanceof Error && THROTTLING[error.name]) return { $metadata: {}, UnprocessedKeys: { [this.tableName]: { Keys: subset.map((key) => ({ [this.keyName]: key })) } } };
            throw error;
          });
        for (const item of output.Responses?.[this.tableName] ?? []) found.set(String(item[this.keyName]), item as T);
        const unprocessed = new Set((output.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((key) => String(key[this.keyName])));
        return subset.flatMap((key, index) => (unprocessed.has(key) ? [index] : []));
      },
      this.options,
    );
    if (left.length > 0) {
      throw new PartialBatchError(`BatchGetItem on ${this.tableName} left ${left.length} keys unprocessed after retries`, left.map((key) => chunk.indexOf(key)));
    }
  }
}
