import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { RetryableError } from '../errors.js';
import type { ClaimOutcome, KeyClaim, SeenKeyStore } from '../ports/SeenKeyStore.js';
import { backoffDelay, sleep, type RetryOptions } from '../retry.js';
import { RETRY_DEFAULTS } from '../constants.js';
import { DYNAMODB_LIMITS } from '../constants.js';
import { DynamoDBDimensionLookup } from './DynamoDBDimensionLookup.js';

/** Items a TransactWriteItems call may hold. */
const TRANSACTION_MAX_ITEMS = DYNAMODB_LIMITS.transactWriteMaxItems;

/** A seen-key item: the key, the record that claimed it, when (absent on items written before it was kept), and its TTL. */
interface SeenItem {
  readonly pk: string;
  readonly owner: string;
  /** Epoch milliseconds. */
  readonly claimed_at?: number;
  /** Epoch seconds (DynamoDB's TTL attribute). */
  readonly expires_at: number;
}

const NEW: ClaimOutcome = { status: 'new' };
const TAKEN: ClaimOutcome = { status: 'taken' };

/** Options of {@link DynamoDBSeenKeyStore}. */
export interface DynamoDBSeenKeyStoreOptions extends RetryOptions {
  /** BatchGetItem calls in flight. @default 4 */
  readonly concurrency?: number;
}

/** A cancellation reason as the error carries it: the document client does not unmarshall errors. */
type CancellationReason = { Code?: string; Item?: Record<string, AttributeValue> };

/**
 * Seen keys in DynamoDB (table keyed by `pk`, TTL on `expires_at`, the claim time in
 * `claimed_at`, which a `mine` outcome carries), at a few requests per
 * batch instead of one per record: a BatchGetItem (100 keys a call) settles every key already
 * claimed; only the new ones are written, 100 to a TransactWriteItems call, each Put guarded by
 * `attribute_not_exists(pk) OR expires_at < :now`. A key another shard claimed in between
 * cancels the transaction with `ConditionalCheckFailed` for that item (and the current item,
 * with ReturnValuesOnConditionCheckFailure); it is classified and the rest written again.
 */
export class DynamoDBSeenKeyStore implements SeenKeyStore {
  /** Requests made: BatchGetItem (reads) and TransactWriteItems (writes), retries included. */
  public readonly requests = { reads: 0, writes: 0 };
  private readonly reader: DynamoDBDimensionLookup<SeenItem>;
  /** After a lost race the winner's write is committed: read it back strongly consistent. */
  private readonly consistentReader: DynamoDBDimensionLookup<SeenItem>;

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: DynamoDBSeenKeyStoreOptions = {},
  ) {
    const readOptions = { ...options, attributes: ['pk', 'owner', 'claimed_at', 'expires_at'], concurrency: options.concurrency ?? 4 };
    this.reader = new DynamoDBDimensionLookup<SeenItem>(client, tableName, 'pk', readOptions);
    this.consistentReader = new DynamoDBDimensionLookup<SeenItem>(client, tableName, 'pk', { ...readOptions, consistentRead: true });
  }

  public async claim(claims: readonly KeyClaim[], nowSeconds: number): Promise<ClaimOutcome[]> {
    const outcomes: (ClaimOutcome | undefined)[] = new Array(claims.length);
    const before = this.reader.calls;
    const existing = await this.reader.getMany(claims.map((claim) => claim.key));
    this.requests.reads += this.reader.calls - before;
    const classify = (index: number, item: SeenItem | undefined): boolean => {
      const claim = claims[index] as KeyClaim;
      if (!item || item.expires_at < nowSeconds) return false;
      outcomes[index] = item.owner === claim.owner ? { status: 'mine', expiresAt: item.expires_at, ...(item.claimed_at === undefined ? {} : { claimedAt: item.claimed_at }) } : TAKEN;
      return true;
    };
    let pending = claims.map((_, index) => index).filter((index) => !classify(index, existing.get((claims[index] as KeyClaim).key)));
    const maxAttempts = this.options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new RetryableError(`seen-key claims on ${this.tableName} still conflicting after ${maxAttempts} attempts (${pending.length} keys)`);
      if (attempt > 0) await (this.options.sleep ?? sleep)(backoffDelay(attempt, this.options));
      const chunks: number[][] = [];
      for (let i = 0; i < pending.length; i += TRANSACTION_MAX_ITEMS) chunks.push(pending.slice(i, i + TRANSACTION_MAX_ITEMS));
      // Transactions of one batch touch distinct keys, so they can run side by side.
      pending = (await Promise.all(chunks.map((chunk) => this.write(claims, chunk, nowSeconds, outcomes, classify)))).flat();
    }
    return outcomes as ClaimOutcome[];
  }

  /** Writes one transaction of claims; returns the indexes to try again. */
  private async write(claims: readonly KeyClaim[], indexes: readonly number[], nowSeconds: number, outcomes: (ClaimOutcome | undefined)[], classify: (index: number, item: SeenItem | undefined) => boolean): Promise<number[]> {
    this.requests.writes += 1;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: indexes.map((index) => {
            const claim = claims[index] as KeyClaim;
            return {
              Put: {
                TableName: this.tableName,
                Item: { pk: claim.key, owner: claim.owner, claimed_at: claim.claimedAt, expires_at: claim.expiresAt },
                ConditionExpression: 'attribute_not_exists(pk) OR expires_at < :now',
                ExpressionAttributeValues: { ':now': nowSeconds },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            };
          }),
        }),
      );
      for (const index of indexes) outcomes[index] = NEW;
      return [];
    } catch (error) {
      const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException' || !reasons) {
        if (error instanceof Error && THROTTLING[error.name]) return [...indexes];
        throw error;
      }
      const retry: number[] = [];
      const unknown: number[] = [];
      reasons.forEach((reason, position) => {
        const index = indexes[position] as number;
        if (reason.Code === 'ConditionalCheckFailed') {
          if (!classify(index, reason.Item ? (unmarshall(reason.Item) as SeenItem) : undefined)) unknown.push(index);
        } else retry.push(index);
      });
      if (unknown.length > 0) {
        // No old item came back: read the keys again.
        const before = this.consistentReader.calls;
        const items = await this.consistentReader.getMany(unknown.map((index) => (claims[index] as KeyClaim).key));
        this.requests.reads += this.consistentReader.calls - before;
        for (const index of unknown) if (!classify(index, items.get((claims[index] as KeyClaim).key))) retry.push(index);
      }
      return retry;
    }
  }
}

const THROTTLING: Readonly<Record<string, true>> = {
  ProvisionedThroughputExceededException: true,
  ThrottlingException: true,
  RequestLimitExceeded: true,
  TransactionConflictException: true,
  TransactionInProgressException: true,
};
