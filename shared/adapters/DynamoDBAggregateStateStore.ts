import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DYNAMODB_LIMITS } from '../constants.js';
import { RetryableError, StateLimitError } from '../errors.js';
import { SEP, shardAttribute } from '../aggregate/partials.js';
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
import { cancelledTransaction, transactionChunks } from './transactWrites.js';

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

/** Optimistic attempts at one item before giving up (each loses only to a concurrent writer). */
const MAX_ATTEMPTS = 8;
const SLICE_OFFSET = 1e15;

/** The sort key of a slice: its start, offset and zero-padded so keys sort by time. */
export const sliceSortKey = (slice: number): string => (slice === CONTINUOUS_SLICE ? 'all' : String(slice + SLICE_OFFSET).padStart(16, '0'));

const sliceOfSortKey = (key: string): number => (key === 'all' ? CONTINUOUS_SLICE : Number(key) - SLICE_OFFSET);

type Item = Record<string, unknown>;

/**
 * The aggregate stage's state in one DynamoDB table (`pk`, `sk`, TTL on `expires_at`):
 *
 * - `slice#<query>` / `<slice start>`: a slice's partials for every group, top-level number
 *   attributes updated with `ADD` (sums, counts) or guarded `SET` (maxima, minima), plus
 *   `ck␟<shard>`, the position of the last record of each shard the item has taken. A write is
 *   conditional on that checkpoint being before the batch; when it is not (a batch delivered
 *   again), the item's old image comes back with the failure (ReturnValuesOnConditionCheckFailure)
 *   and only the records after the checkpoint are written, conditional on the checkpoint read.
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

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoDBAggregateStateStoreOptions = {},
  ) {
    this.ttlSeconds = options.stateTtlSeconds ?? 7 * 86_400;
    this.concurrency = options.concurrency ?? 16;
    this.clock = options.clock ?? Date.now;
    this.pipelineKey = { pk: options.pipelinePartitionKey ?? 'pipeline', sk: 'state' };
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

  /**
   * Windowed slices without maxima, minima or sizes go up to 100 a request: one TransactWriteItems
   * of the same conditional updates {@link applySlice} makes first, all or nothing, so a batch
   * delivered again (a condition fails) is applied one slice at a time as before. Continuous
   * slices, whose images the stage reads back, and the rest go one at a time.
   */
  public async applySlices(shard: string, batch: { readonly first: string; readonly last: string }, updates: readonly SliceUpdate[]): Promise<SliceImage[]> {
    const plain = updates.map((update) => ({ update, input: this.plainSliceWrite(shard, batch, update) }));
    const images: SliceImage[] = [];
    const single = plain.filter(({ input }) => input === undefined).map(({ update }) => update);
    await forEachConcurrent(transactionChunks(plain.filter(({ input }) => input !== undefined), ({ input }) => JSON.stringify(input).length), 2, async (chunk) => {
      if (chunk.length === 1) return void single.push(...chunk.map(({ update }) => update));
      this.requests.writes += 1;
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: chunk.map(({ input }) => ({ Update: input as UpdateCommandInput & { UpdateExpression: string } })) }));
      } catch (error) {
        if (!cancelledTransaction(error)) throw error;
        await forEachConcurrent(chunk, this.concurrency, async ({ update }) => void (await this.applySlice(shard, batch, update)));
      }
    });
    await forEachConcurrent(single, this.concurrency, async (update) => {
      const image = await this.applySlice(shard, batch, update);
      if (update.slice === CONTINUOUS_SLICE) images.push(image);
    });
    return images;
  }

  /** A windowed slice's first write when it only adds (no extremes, no sizes): its checkpoint condition, the sums, the TTL. */
  private plainSliceWrite(shard: string, batch: { readonly first: string; readonly last: string }, update: SliceUpdate): Omit<UpdateCommandInput, 'ReturnValues'> | undefined {
    if (update.slice === CONTINUOUS_SLICE || (update.sizes?.size ?? 0) > 0) return undefined;
    const delta = update.deltaAfter(undefined);
    if (delta.max.size + delta.min.size > 0) return undefined;
    const expression = new Expression();
    const ck = expression.name(`ck${SEP}${shard}`);
    const adds = [`${expression.name('v')} ${expression.value(1)}`, ...[...delta.add].map(([name, value]) => `${expression.name(name)} ${expression.value(value)}`)];
    const update_ = `ADD ${adds.join(', ')} SET ${ck} = ${expression.value(batch.last)}, ${expression.name('expires_at')} = ${expression.value(this.expiresAt())}`;
    const condition = `(attribute_not_exists(${ck}) OR ${ck} < ${expression.value(batch.first)})`;
    if (Math.max(update_.length, condition.length) > DYNAMODB_LIMITS.expressionMaxChars) return undefined;
    return { TableName: this.tableName, Key: { pk: `slice#${update.query}`, sk: sliceSortKey(update.slice) }, UpdateExpression: update_, ConditionExpression: condition, ExpressionAttributeNames: expression.names, ExpressionAttributeValues: expression.values };
  }

  private async applySlice(shard: string, batch: { readonly first: string; readonly last: string }, update: SliceUpdate): Promise<SliceImage> {
    const key = { pk: `slice#${update.query}`, sk: sliceSortKey(update.slice) };
    const checkpoint = `ck${SEP}${shard}`;
    const own = (map: ReadonlyMap<string, number>): Map<string, number> => new Map([...map].map(([name, value]) => [shardAttribute(name, shard), value]));
    let old: Item | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const held = old?.[checkpoint] as string | undefined;
      // A checkpoint at or past the batch's first record: the batch (or its head) is in already.
      const after = held !== undefined && held >= batch.first ? held : undefined;
      const delta = update.deltaAfter(after);
      const [max, min, sizes] = [own(delta.max), own(delta.min), own(update.sizes ?? new Map())];
      if (old !== undefined) pruneExtremes(old, max, min, sizes);
      if (old !== undefined && after !== undefined && delta.add.size + max.size + min.size + sizes.size === 0) return toImage(update, old);
      const expression = new Expression();
      const ck = expression.name(checkpoint);
      const adds = [`${expression.name('v')} ${expression.value(1)}`, ...[...delta.add].map(([name, value]) => `${expression.name(name)} ${expression.value(value)}`)];
      const sets = [`${ck} = ${expression.value(after !== undefined && after > batch.last ? after : batch.last)}`];
      if (update.slice !== CONTINUOUS_SLICE) sets.push(`${expression.name('expires_at')} = ${expression.value(this.expiresAt())}`);
      const conditions = [
        old === undefined ? `(attribute_not_exists(${ck}) OR ${ck} < ${expression.value(batch.first)})` : held === undefined ? `attribute_not_exists(${ck})` : `${ck} = ${expression.value(held)}`,
      ];
      // Extremes from the records ride with the checkpoint (they are the batch's); bucket sizes
      // are absolute, so those that do not fit in one expression follow in their own writes.
      for (const [name, value] of max) guardedSet(expression, sets, conditions, name, value, '<');
      for (const [name, value] of min) guardedSet(expression, sets, conditions, name, value, '>');
      const overflow = new Map<string, number>();
      for (const [name, value] of sizes) {
        if (fits(sets, conditions, adds)) guardedSet(expression, sets, conditions, name, value, '<');
        else overflow.set(name, value);
      }
      const input: UpdateCommandInput = {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      };
      try {
        const { Attributes = {} } = await this.update(input, `the state of ${update.query} (slice ${sliceSortKey(update.slice)}); it has too many groups for one item`);
        return toImage(update, overflow.size === 0 ? Attributes : await this.raiseMaxima(key, overflow));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        old = error.Item === undefined ? {} : unmarshall(error.Item);
      }
    }
    throw new RetryableError(`state item ${key.pk} ${key.sk} kept changing under ${MAX_ATTEMPTS} attempts`);
  }

  /** Raises maxima (absolute values, idempotent) in as many guarded writes as the expression limit takes. */
  private async raiseMaxima(key: { pk: string; sk: string }, maxima: Map<string, number>): Promise<Item> {
    let image: Item = {};
    for (let attempt = 0; maxima.size > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS * 4) throw new RetryableError(`maxima of ${key.pk} ${key.sk} kept changing`);
      const expression = new Expression();
      const sets: string[] = [];
      const conditions: string[] = [];
      const chunk: string[] = [];
      for (const [name, value] of maxima) {
        if (chunk.length > 0 && !fits(sets, conditions, [])) break;
        guardedSet(expression, sets, conditions, name, value, '<');
        chunk.push(name);
      }
      try {
        const { Attributes = {} } = await this.update({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        image = Attributes;
        for (const name of chunk) maxima.delete(name);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const old = error.Item === undefined ? {} : unmarshall(error.Item);
        image = old;
        for (const name of chunk) if (typeof old[name] === 'number' && (old[name] as number) >= (maxima.get(name) as number)) maxima.delete(name);
      }
    }
    return image;
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

  public async readSlices(query: string, from: number, to: number): Promise<SliceImage[]> {
    const items = await queryRange(this.client, { tableName: this.tableName, pk: `slice#${query}`, from: sliceSortKey(from), to: sliceSortKey(to - 1), consistentRead: true }, () => (this.requests.reads += 1));
    return items.map((item) => ({ query, slice: sliceOfSortKey(item.sk as string), attributes: item, version: (item.v as number | undefined) ?? 0 }));
  }

  private expiresAt(): number {
    return Math.floor(this.clock() / 1000) + this.ttlSeconds;
  }

  /** One UpdateItem, counted, with DynamoDB's size limits turned into a {@link StateLimitError}. */
  private async update(input: UpdateCommandInput, what = 'state'): Promise<{ Attributes?: Record<string, unknown> }> {
    const longest = Math.max(input.UpdateExpression?.length ?? 0, input.ConditionExpression?.length ?? 0);
    if (longest > DYNAMODB_LIMITS.expressionMaxChars) {
      throw new StateLimitError(`cannot write ${what}: the update needs a ${longest}-character expression, over DynamoDB's ${DYNAMODB_LIMITS.expressionMaxChars}`);
    }
    this.requests.writes += 1;
    try {
      return await this.client.send(new UpdateCommand(input));
    } catch (error) {
      if (error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message)) {
        throw new StateLimitError(`cannot write ${what}: the item would exceed DynamoDB's 400 KB limit`, { cause: error });
      }
      throw error;
    }
  }
}


/** Drops the maxima and minima an item already holds at least as far. */
function pruneExtremes(old: Item, max: Map<string, number>, min: Map<string, number>, sizes: Map<string, number>): void {
  for (const map of [max, sizes]) for (const [name, value] of map) if (typeof old[name] === 'number' && (old[name] as number) >= value) map.delete(name);
  for (const [name, value] of min) if (typeof old[name] === 'number' && (old[name] as number) <= value) min.delete(name);
}

/** Keeps expressions well under DynamoDB's 4 KB (a guarded set adds ~60 characters) and 300 operators. */
const EXPRESSION_BUDGET = DYNAMODB_LIMITS.expressionMaxChars - 200;

/** A guarded condition costs four operators: the function, OR, the comparison, and the AND joining it. */
const OPERATORS_PER_CONDITION = 4;

/** Whether one more guarded set still fits both expressions, in characters and in operators. */
function fits(sets: readonly string[], conditions: readonly string[], adds: readonly string[]): boolean {
  const length = (parts: readonly string[]): number => parts.reduce((sum, part) => sum + part.length + 2, 0);
  return (
    length(adds) + length(sets) + 24 < EXPRESSION_BUDGET &&
    length(conditions) + 5 * conditions.length + 48 < EXPRESSION_BUDGET &&
    (conditions.length + 1) * OPERATORS_PER_CONDITION < DYNAMODB_LIMITS.expressionMaxOperators
  );
}

/** `SET name = value` only if it raises (`<`) or lowers (`>`) what is stored. */
function guardedSet(expression: Expression, sets: string[], conditions: string[], name: string, value: number, op: '<' | '>'): void {
  const n = expression.name(name);
  const v = expression.value(value);
  sets.push(`${n} = ${v}`);
  conditions.push(`(attribute_not_exists(${n}) OR ${n} ${op} ${v})`);
}

function toImage(update: SliceUpdate, attributes: Item): SliceImage {
  return { query: update.query, slice: update.slice, attributes, version: (attributes.v as number | undefined) ?? 0 };
}
