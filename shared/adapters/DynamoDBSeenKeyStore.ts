import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchExecuteStatementCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { RetryableError } from '../errors.js';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import type { ClaimOutcome, KeyClaim, SeenKeyStore } from '../ports/SeenKeyStore.js';
import { backoffDelay, sleep, type RetryOptions } from '../retry.js';
import { RETRY_DEFAULTS } from '../constants.js';
import { DYNAMODB_LIMITS } from '../constants.js';
import { DynamoDBDimensionLookup } from './DynamoDBDimensionLookup.js';

/** Items a TransactWriteItems call may hold. */
const TRANSACTION_MAX_ITEMS = DYNAMODB_LIMITS.transactWriteMaxItems;

/** Statements a BatchExecuteStatement call may hold. */
const STATEMENTS_MAX = DYNAMODB_LIMITS.batchStatementMaxItems;

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
  /** BatchExecuteStatement and BatchGetItem calls in flight. @default 4 */
  readonly concurrency?: number;
}

/** A cancellation reason as the error carries it: the document client does not unmarshall errors. */
type CancellationReason = { Code?: string; Item?: Record<string, AttributeValue> };

/**
 * Seen keys in DynamoDB (table keyed by `pk`, TTL on `expires_at`, the claim time in
 * `claimed_at`, which a `mine` outcome carries), at a few requests per batch instead of one per
 * record. Every key is first claimed by a PartiQL `INSERT`, 25 to a BatchExecuteStatement call:
 * DynamoDB inserts an item only when none has the key, atomically, so a new key (the common
 * case) costs one write unit and no read. A key already stored comes back `DuplicateItem`; those
 * are read strongly consistent and settled by the claim there (`mine` when its owner is this
 * record, `taken` otherwise). A stored claim past its TTL (not yet deleted) is claimed again by
 * a Put guarded by `attribute_not_exists(pk) OR expires_at < :now`, 100 to a
 * TransactWriteItems call; a key another shard claimed in between cancels that transaction
 * with `ConditionalCheckFailed` for the item (and the current item, with
 * ReturnValuesOnConditionCheckFailure), which is classified and the rest written again.
 */
export class DynamoDBSeenKeyStore implements SeenKeyStore {
  /** Requests made: BatchGetItem (reads), BatchExecuteStatement and TransactWriteItems (writes), retries included. */
  public readonly requests = { reads: 0, writes: 0 };
  /** Stored claims are read strongly consistent: an insert refused for a key sees its claim committed. */
  private readonly reader: DynamoDBDimensionLookup<SeenItem>;
  private readonly concurrency: number;

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: DynamoDBSeenKeyStoreOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.reader = new DynamoDBDimensionLookup<SeenItem>(client, tableName, 'pk', { ...options, attributes: ['pk', 'owner', 'claimed_at', 'expires_at'], concurrency: this.concurrency, consistentRead: true });
  }

  public async claim(claims: readonly KeyClaim[], nowSeconds: number): Promise<ClaimOutcome[]> {
    const outcomes: (ClaimOutcome | undefined)[] = new Array(claims.length);
    const classify = (index: number, item: SeenItem | undefined): boolean => {
      const claim = claims[index] as KeyClaim;
      if (!item || item.expires_at < nowSeconds) return false;
      outcomes[index] = item.owner === claim.owner ? { status: 'mine', expiresAt: item.expires_at, ...(item.claimed_at === undefined ? {} : { claimedAt: item.claimed_at }) } : TAKEN;
      return true;
    };
    const maxAttempts = this.options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
    const stored: number[] = [];
    let inserting = claims.map((_, index) => index);
    for (let attempt = 0; inserting.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new RetryableError(`seen-key inserts into ${this.tableName} still throttled after ${maxAttempts} attempts (${inserting.length} keys)`);
      if (attempt > 0) await (this.options.sleep ?? sleep)(backoffDelay(attempt, this.options));
      const { duplicates, retry } = await this.insert(claims, inserting, outcomes);
      stored.push(...duplicates);
      inserting = retry;
    }
    if (stored.length === 0) return outcomes as ClaimOutcome[];
    const existing = await this.read(claims, stored);
    // What is left is past its TTL, or was deleted since: claim it again, conditionally.
    let pending = stored.filter((index) => !classify(index, existing.get((claims[index] as KeyClaim).key)));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new RetryableError(`seen-key claims on ${this.tableName} still conflicting after ${maxAttempts} attempts (${pending.length} keys)`);
      if (attempt > 0) await (this.options.sleep ?? sleep)(backoffDelay(attempt, this.options));
      // Transactions of one batch touch distinct keys, so they can run side by side.
      pending = (await Promise.all(chunksOf(pending, TRANSACTION_MAX_ITEMS).map((chunk) => this.write(claims, chunk, nowSeconds, outcomes, classify)))).flat();
    }
    return outcomes as ClaimOutcome[];
  }

  /**
   * Inserts the claims of `indexes`, 25 statements a request; each one inserted is `new`.
   * @returns the keys already stored, and those to try again (throttled or conflicting statements)
   */
  private async insert(claims: readonly KeyClaim[], indexes: readonly number[], outcomes: (ClaimOutcome | undefined)[]): Promise<{ duplicates: number[]; retry: number[] }> {
    const duplicates: number[] = [];
    const retry: number[] = [];
    await forEachConcurrent(chunksOf(indexes, STATEMENTS_MAX), this.concurrency, async (chunk) => {
      this.requests.writes += 1;
      const statement = `INSERT INTO "${this.tableName}" VALUE {'pk': ?, 'owner': ?, 'claimed_at': ?, 'expires_at': ?}`;
      const { Responses = [] } = await this.client.send(
        new BatchExecuteStatementCommand({
          Statements: chunk.map((index) => {
            const claim = claims[index] as KeyClaim;
            return { Statement: statement, Parameters: [claim.key, claim.owner, claim.claimedAt, claim.expiresAt] };
          }),
        }),
      );
      chunk.forEach((index, position) => {
        const error = Responses[position]?.Error;
        if (error === undefined) outcomes[index] = NEW;
        else if (error.Code === 'DuplicateItem') duplicates.push(index);
        else if (error.Code !== undefined && RETRYABLE_STATEMENT[error.Code]) retry.push(index);
        else throw new Error(`claiming seen key ${(claims[index] as KeyClaim).key} in ${this.tableName} failed: ${error.Code ?? 'no code'} ${error.Message ?? ''}`.trim());
      });
    });
    return { duplicates, retry };
  }

  /** The stored claims of `indexes`, read strongly consistent. */
  private async read(claims: readonly KeyClaim[], indexes: readonly number[]): Promise<ReadonlyMap<string, SeenItem>> {
    const before = this.reader.calls;
    const items = await this.reader.getMany(indexes.map((index) => (claims[index] as KeyClaim).key));
    this.requests.reads += this.reader.calls - before;
    return items;
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
        const items = await this.read(claims, unknown);
        for (const index of unknown) if (!classify(index, items.get((claims[index] as KeyClaim).key))) retry.push(index);
      }
      return retry;
    }
  }
}

/** `items` in runs of at most `size`, in order. */
const chunksOf = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Statement error codes of a BatchExecuteStatement that the same statement may overcome later. */
const RETRYABLE_STATEMENT: Readonly<Record<string, true>> = {
  ThrottlingError: true,
  ProvisionedThroughputExceeded: true,
  RequestLimitExceeded: true,
  TransactionConflict: true,
  InternalServerError: true,
};

const THROTTLING: Readonly<Record<string, true>> = {
  ProvisionedThroughputExceededException: true,
  ThrottlingException: true,
  RequestLimitExceeded: true,
  TransactionConflictException: true,
  TransactionInProgressException: true,
};
