import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { SEP } from '../aggregate/partials.js';
import { BEFORE_TIME } from '../aggregate/watermark.js';
import {
  CONTINUOUS_SLICE,
  type AggregateStateStore,
  type DistinctAdd,
  type FiringClaim,
  type PendingFiring,
  type PipelineState,
  type ShardAdvance,
  type ShardClock,
  type SliceImage,
  type SliceUpdate,
} from '../ports/AggregateStateStore.js';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import { Expression } from './dynamoExpression.js';
import { queryRange } from './queryRange.js';
import { DynamoDBSliceWriter, sliceSortKey, type BatchSpan } from './DynamoDBSliceWriter.js';
import { updateStateItem } from './stateUpdates.js';

/** Options of {@link DynamoDBAggregateStateStore}. */
export interface DynamoDBAggregateStateStoreOptions {
  /** Windowed state expires this long after its last write (DynamoDB TTL). @default 7 days */
  readonly stateTtlSeconds?: number;
  /** UpdateItem calls in flight. @default 16 */
  readonly concurrency?: number;
  /** Processing time, epoch ms. @default Date.now */
  readonly clock?: () => number;
  /**
   * The partition key of the shard-clocks item, so that other stages (the S3 writers) can keep
   * their own clocks in their own table with this store. @default 'pipeline'
   */
  readonly pipelinePartitionKey?: string;
}

/**
 * The aggregate stage's state in one DynamoDB table (`pk`, `sk`, TTL on `expires_at`):
 *
 * - `slices` / `<slice start>`: the state of every query with a slice starting there (per
 *   query: partials for every group, per-shard extremes and bucket sizes, `ck␟<shard>`, the
 *   position of the last record of each shard it has taken, and its own version), packed in
 *   `state` (deflated JSON) beside the item's version `v`. A batch reads its items, applies only
 *   the records after its shard's checkpoints and puts the new states conditional on the
 *   versions read (see `DynamoDBSliceWriter`, which still reads the earlier `slice#<query>` items).
 * - `distinct#<query>` / `<slice>␟<aggregate>␟<partition>␟<bucket>␟<group>`: a binary set of
 *   packed distinct values; `ADD` of a set is idempotent.
 * - `pipeline` / `state`: every shard's clock and every query's firing progress.
 */
export class DynamoDBAggregateStateStore implements AggregateStateStore {
  /** Requests made, retries included: reads (Get, Query) and writes (Update). */
  public readonly requests = { reads: 0, writes: 0 };
  private readonly ttlSeconds: number;
  private readonly concurrency: number;
  private readonly clock: () => number;
  private readonly pipelineKey: { readonly pk: string; readonly sk: string };
  private readonly slices: DynamoDBSliceWriter;

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoDBAggregateStateStoreOptions = {},
  ) {
    this.ttlSeconds = options.stateTtlSeconds ?? 7 * 86_400;
    this.concurrency = options.concurrency ?? 16;
    this.clock = options.clock ?? Date.now;
    this.pipelineKey = { pk: options.pipelinePartitionKey ?? 'pipeline', sk: 'state' };
    this.slices = new DynamoDBSliceWriter(client, tableName, { concurrency: this.concurrency, expiresAt: () => this.expiresAt(), requests: this.requests });
  }

  public async readPipeline(): Promise<PipelineState> {
    this.requests.reads += 1;
    const { Item = {} } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: this.pipelineKey, ConsistentRead: true }));
    const byPrefix = (prefix: string): Map<string, unknown> =>
      new Map(Object.entries(Item).filter(([name]) => name.startsWith(`${prefix}${SEP}`)).map(([name, value]) => [name.slice(prefix.length + 1), value]));
    const shards = new Map<string, ShardClock>();
    const positions = byPrefix('wp');
    const firstSeen = byPrefix('fs');
    const pathActivity = byPrefix('pa');
    const paths = new Map<string, Map<string, { eventTime: number; activeAt: number }>>();
    for (const [key, eventTime] of byPrefix('pw')) {
      const cut = key.indexOf(SEP);
      const [shard, path] = [key.slice(0, cut), key.slice(cut + 1)];
      const map = paths.get(shard) ?? new Map<string, { eventTime: number; activeAt: number }>();
      paths.set(shard, map);
      map.set(path, { eventTime: eventTime as number, activeAt: (pathActivity.get(key) as number | undefined) ?? 0 });
    }
    const finished = byPrefix('fin');
    for (const [shard, activeAt] of byPrefix('at')) {
      const position = positions.get(shard) as string | undefined;
      const seen = firstSeen.get(shard) as number | undefined;
      shards.set(shard, {
        activeAt: activeAt as number,
        paths: paths.get(shard) ?? new Map(),
        ...(position === undefined ? {} : { position }),
        ...(seen === undefined ? {} : { firstSeenAt: seen }),
        ...(finished.has(shard) ? { finished: true } : {}),
      });
    }
    const fired = new Map([...byPrefix('fw')].map(([query, to]) => [query, to as number]));
    const pending = new Map<string, PendingFiring>();
    const owners = byPrefix('po');
    for (const [query, to] of byPrefix('pt')) {
      pending.set(query, {
        from: Item[`pf${SEP}${query}`] as number,
        to: to as number,
        owner: owners.get(query) as string,
        claimedAt: Item[`pc${SEP}${query}`] as number,
      });
    }
    const missing = new Map([...byPrefix('ms')].map(([path, since]) => [path, since as number]));
    return { shards, fired, pending, missing };
  }

  public async addDistinct(adds: readonly DistinctAdd[]): Promise<number[]> {
    const sizes = new Array<number>(adds.length).fill(0);
    await forEachConcurrent(adds, this.concurrency, async (add, i) => {
      const expression = new Expression();
      const ttl = add.slice === CONTINUOUS_SLICE ? '' : `, ${expression.name('expires_at')} = ${expression.value(this.expiresAt())}`;
      const input: UpdateCommandInput = {
        TableName: this.tableName,
        Key: { pk: `distinct#${add.query}`, sk: [sliceSortKey(add.slice), add.aggregate, add.partition, add.bucket, add.group].join(SEP) },
        // Packed values (latin1 strings, one character per byte) are stored as a binary set;
        // deduplicated as strings first, since a Set of buffers compares them by identity.
        UpdateExpression: `ADD ${expression.name('v')} ${expression.value(new Set([...new Set(add.values)].map((value) => Buffer.from(value, 'latin1'))))}${ttl ? ` SET ${ttl.slice(2)}` : ''}`,
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
        ReturnValues: 'UPDATED_NEW',
      };
      const { Attributes } = await this.update(input, `distinct values of ${add.query} aggregate ${add.aggregate} (partition '${add.partition}', bucket ${add.bucket}); raise its 'buckets'`);
      sizes[i] = (Attributes?.v as Set<Uint8Array> | undefined)?.size ?? 0;
    });
    return sizes;
  }

  public applySlices(shard: string, batch: BatchSpan, updates: readonly SliceUpdate[]): Promise<SliceImage[]> {
    return this.slices.applySlices(shard, batch, updates);
  }

  public async advanceShard(shard: string, advance: ShardAdvance): Promise<void> {
    const expression = new Expression();
    const now = expression.value(advance.activeAt);
    const wp = expression.name(`wp${SEP}${shard}`);
    const position = expression.value(advance.position);
    const fs = expression.name(`fs${SEP}${shard}`);
    const sets = [`${expression.name(`at${SEP}${shard}`)} = ${now}`, `${wp} = ${position}`, `${fs} = if_not_exists(${fs}, ${now})`];
    for (const parent of advance.finishedParents ?? []) sets.push(`${expression.name(`fin${SEP}${parent}`)} = ${now}`);
    for (const [path, eventTime] of advance.paths) {
      sets.push(`${expression.name(`pw${SEP}${shard}${SEP}${path}`)} = ${expression.value(eventTime)}`, `${expression.name(`pa${SEP}${shard}${SEP}${path}`)} = ${now}`);
    }
    try {
      await this.update({
        TableName: this.tableName,
        Key: this.pipelineKey,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `attribute_not_exists(${wp}) OR ${wp} < ${position}`,
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The clock is already past this batch (it was delivered again): only say the shard is alive.
      const alive = new Expression();
      await this.update({
        TableName: this.tableName,
        Key: this.pipelineKey,
        UpdateExpression: `SET ${alive.name(`at${SEP}${shard}`)} = ${alive.value(advance.activeAt)}`,
        ExpressionAttributeNames: alive.names,
        ExpressionAttributeValues: alive.values,
      });
    }
  }

  public async claimFiring(owner: string, claims: readonly FiringClaim[], now: number): Promise<boolean> {
    if (claims.length === 0) return true;
    const expression = new Expression();
    const sets: string[] = [];
    const conditions: string[] = [];
    for (const claim of claims) {
      const fired = expression.name(`fw${SEP}${claim.query}`);
      const pendingTo = expression.name(`pt${SEP}${claim.query}`);
      const to = expression.value(claim.to);
      const from = claim.from === undefined ? undefined : expression.value(claim.from);
      sets.push(
        `${fired} = ${to}`,
        `${pendingTo} = ${to}`,
        `${expression.name(`pf${SEP}${claim.query}`)} = ${expression.value(claim.from ?? BEFORE_TIME)}`,
        `${expression.name(`po${SEP}${claim.query}`)} = ${expression.value(owner)}`,
        `${expression.name(`pc${SEP}${claim.query}`)} = ${expression.value(now)}`,
      );
      conditions.push(`attribute_not_exists(${pendingTo})`, from === undefined ? `attribute_not_exists(${fired})` : `${fired} = ${from}`);
    }
    try {
      await this.update({
        TableName: this.tableName,
        Key: this.pipelineKey,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  public async takeOverFiring(query: string, pending: PendingFiring, owner: string, now: number): Promise<boolean> {
    const expression = new Expression();
    const po = expression.name(`po${SEP}${query}`);
    const pc = expression.name(`pc${SEP}${query}`);
    try {
      await this.update({
        TableName: this.tableName,
        Key: this.pipelineKey,
        UpdateExpression: `SET ${po} = ${expression.value(owner)}, ${pc} = ${expression.value(now)}`,
        ConditionExpression: `${po} = ${expression.value(pending.owner)} AND ${pc} = ${expression.value(pending.claimedAt)}`,
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  public async noteMissing(paths: readonly string[], now: number): Promise<void> {
    if (paths.length === 0) return;
    const expression = new Expression();
    const at = expression.value(now);
    const sets = paths.map((path) => {
      const name = expression.name(`ms${SEP}${path}`);
      return `${name} = if_not_exists(${name}, ${at})`;
    });
    await this.update({ TableName: this.tableName, Key: this.pipelineKey, UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: expression.names, ExpressionAttributeValues: expression.values });
  }

  public async completeFiring(query: string, to: number): Promise<void> {
    const expression = new Expression();
    const pt = expression.name(`pt${SEP}${query}`);
    const removed = ['pf', 'po', 'pc'].map((prefix) => expression.name(`${prefix}${SEP}${query}`));
    try {
      await this.update({
        TableName: this.tableName,
        Key: this.pipelineKey,
        UpdateExpression: `REMOVE ${[pt, ...removed].join(', ')}`,
        ConditionExpression: `${pt} = ${expression.value(to)}`,
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
      });
    } catch (error) {
      // Already completed by an invocation that took it over: nothing left to do.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  public readSlices(query: string, from: number, to: number): Promise<SliceImage[]> {
    return this.slices.readSlices(query, from, to);
  }

  private expiresAt(): number {
    return Math.floor(this.clock() / 1000) + this.ttlSeconds;
  }

  /** One UpdateItem, counted, with DynamoDB's size limits turned into a {@link StateLimitError}. */
  private update(input: UpdateCommandInput, what = 'state'): Promise<{ Attributes?: Record<string, unknown> }> {
    return updateStateItem(this.client, input, this.requests, what);
  }
}
