import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { RetryableError } from '../errors.js';
import { applyToSlice, sliceImage, type BatchSpan, type SliceState } from '../aggregate/partials.js';
import { CONTINUOUS_SLICE, type SliceImage, type SliceUpdate } from '../ports/AggregateStateStore.js';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import { backoffDelay, sleep } from '../retry.js';
import { queryRange } from './queryRange.js';
import { itemSizeError, type Item, type StateRequests } from './stateUpdates.js';
import { cancelledTransaction, transactionChunks } from './transactWrites.js';

export type { BatchSpan } from '../aggregate/partials.js';

/** Write rounds for one slice before giving up (each lost only to a concurrent writer). */
export const MAX_ATTEMPTS = 8;
const SLICE_OFFSET = 1e15;

/** The item attributes that are not the slice's state. */
const KEYS = new Set(['pk', 'sk', 'v', 'expires_at', 'state']);

/** The sort key of a slice: its start, offset and zero-padded so keys sort by time. */
export const sliceSortKey = (slice: number): string => (slice === CONTINUOUS_SLICE ? 'all' : String(slice + SLICE_OFFSET).padStart(16, '0'));

/** The slice a sort key names. */
export const sliceOfSortKey = (key: string): number => (key === 'all' ? CONTINUOUS_SLICE : Number(key) - SLICE_OFFSET);

/**
 * A slice item's state: its `state` attribute (deflated JSON) and its version `v`. An item
 * without `state` (written before state was packed) holds its state as top-level attributes.
 */
export function sliceStateOf(item: Item): SliceState {
  const packed = item.state as Uint8Array | undefined;
  const state: SliceState = packed === undefined ? Object.fromEntries(Object.entries(item).filter(([name]) => !KEYS.has(name))) as SliceState : (JSON.parse(inflateRawSync(packed).toString()) as SliceState);
  if (typeof item.v === 'number') state.v = item.v;
  return state;
}

/** The image of a stored slice item. */
export const sliceImageOf = (query: string, item: Item): SliceImage => sliceImage(query, sliceOfSortKey(item.sk as string), sliceStateOf(item));

/** Options of {@link DynamoDBSliceWriter}. */
export interface SliceWriterOptions {
  /** Single puts in flight, when a transaction's slices are written one at a time. */
  readonly concurrency: number;
  /** The TTL (epoch seconds) of a windowed slice written now. */
  readonly expiresAt: () => number;
  /** Where requests are counted. */
  readonly requests: StateRequests;
}

/** One slice of a batch: its update, the state it was last seen with, and what it holds once written. */
interface Pending {
  readonly update: SliceUpdate;
  readonly key: { readonly pk: string; readonly sk: string };
  seen: SliceState;
  done?: SliceState;
}

/** A put of a slice's new state, conditional on the version it was computed from. */
interface SlicePut {
  readonly pending: Pending;
  readonly next: SliceState;
  readonly input: PutCommandInput;
}

/** A cancellation reason as the error carries it: the document client does not unmarshall errors. */
type CancellationReason = { Code?: string; Item?: Record<string, AttributeValue> };

/**
 * Applies slice updates to `slice#<query>` items exactly once per record position. A slice
 * item holds its state packed in one binary attribute (deflated JSON) beside its version `v`:
 * the writer reads the batch's slices (one consistent Query per query), applies the batch with
 * {@link applyToSlice} and puts the new states conditional on the versions read, up to 100 a
 * `TransactWriteItems`. A slice another writer changed in between cancels its transaction and
 * comes back with the failure (`ReturnValuesOnConditionCheckFailure`); the transaction is
 * computed again from it. A put carries two short expressions however many groups the slice
 * has: DynamoDB parses no per-group update expression, and the 4 KB expression limit does not
 * bound the groups of a slice.
 */
export class DynamoDBSliceWriter {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: SliceWriterOptions,
  ) {}

  /** @returns the images of the continuous slices, as written */
  public async applySlices(shard: string, batch: BatchSpan, updates: readonly SliceUpdate[]): Promise<SliceImage[]> {
    const stored = await this.readStored(updates);
    const pending: Pending[] = updates.map((update) => {
      const key = { pk: `slice#${update.query}`, sk: sliceSortKey(update.slice) };
      return { update, key, seen: stored.get(`${key.pk}/${key.sk}`) ?? {} };
    });
    const first = pending.map((entry) => this.nextPut(shard, batch, entry)).filter((put): put is SlicePut => put !== undefined);
    const packedSize = (put: SlicePut): number => (put.input.Item?.state as Uint8Array).length + 200;
    await forEachConcurrent(transactionChunks(first, packedSize), 2, (chunk) => this.writeChunk(shard, batch, chunk));
    return pending
      .filter(({ update }) => update.slice === CONTINUOUS_SLICE)
      .map(({ update, seen, done }) => sliceImage(update.query, update.slice, done ?? seen));
  }

  /** The current state of every slice updated, by `pk/sk`: one consistent Query per query over its slices. */
  private async readStored(updates: readonly SliceUpdate[]): Promise<Map<string, SliceState>> {
    const byQuery = new Map<string, number[]>();
    for (const { query, slice } of updates) {
      const slices = byQuery.get(query) ?? [];
      byQuery.set(query, slices);
      slices.push(slice);
    }
    const stored = new Map<string, SliceState>();
    await forEachConcurrent([...byQuery], this.options.concurrency, async ([query, slices]) => {
      const pk = `slice#${query}`;
      const items = await queryRange(this.client, { tableName: this.tableName, pk, from: sliceSortKey(Math.min(...slices)), to: sliceSortKey(Math.max(...slices)), consistentRead: true }, () => (this.options.requests.reads += 1));
      for (const item of items) stored.set(`${pk}/${item.sk as string}`, sliceStateOf(item));
    });
    return stored;
  }

  /** The put of a slice's state after the batch, from the state last seen; undefined when it holds the batch already. */
  private nextPut(shard: string, batch: BatchSpan, pending: Pending): SlicePut | undefined {
    const next = applyToSlice(pending.seen, shard, batch, pending.update);
    if (next === undefined) {
      pending.done = pending.seen;
      return undefined;
    }
    const { v: version, ...state } = next;
    const previous = pending.seen.v as number | undefined;
    const input: PutCommandInput = {
      TableName: this.tableName,
      Item: { ...pending.key, v: version, state: deflateRawSync(JSON.stringify(state)), ...(pending.update.slice === CONTINUOUS_SLICE ? {} : { expires_at: this.options.expiresAt() }) },
      ...(previous === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'v' }, ExpressionAttributeValues: { ':v': previous } }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
    return { pending, next, input };
  }

  /**
   * Writes a chunk's slices, in one transaction while there are several; those whose condition
   * failed are computed again from what came back, after a backoff, and written again.
   */
  private async writeChunk(shard: string, batch: BatchSpan, chunk: readonly SlicePut[]): Promise<void> {
    let puts = chunk;
    for (let attempt = 1; puts.length > 0; attempt++) {
      if (puts.length === 1) await this.putOne(puts[0] as SlicePut);
      else await this.putMany(puts);
      puts = chunk.filter(({ pending }) => pending.done === undefined).map(({ pending }) => this.nextPut(shard, batch, pending)).filter((put): put is SlicePut => put !== undefined);
      if (puts.length === 0) return;
      if (attempt >= MAX_ATTEMPTS) throw new RetryableError(`state items ${puts.map(({ pending }) => `${pending.key.pk} ${pending.key.sk}`).join(', ')} kept changing under ${MAX_ATTEMPTS} attempts`);
      await sleep(backoffDelay(attempt));
    }
  }

  /** One conditional put; a failed condition updates what the slice was seen with. */
  private async putOne({ pending, next, input }: SlicePut): Promise<void> {
    this.options.requests.writes += 1;
    try {
      await this.client.send(new PutCommand(input));
      pending.done = next;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw itemSizeError(error, `the state of ${pending.update.query} (slice ${pending.key.sk}; too many groups for one item, even packed)`) ?? error;
      pending.seen = error.Item === undefined ? await this.read(pending.key) : sliceStateOf(unmarshall(error.Item));
    }
  }

  /** One transaction of conditional puts; when cancelled, the slices whose condition failed come back as they are now. */
  private async putMany(puts: readonly SlicePut[]): Promise<void> {
    this.options.requests.writes += 1;
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: puts.map(({ input }) => ({ Put: input as PutCommandInput & { Item: Item } })) }));
      for (const { pending, next } of puts) pending.done = next;
    } catch (error) {
      if (!cancelledTransaction(error)) throw error;
      const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
      // An invalid item cancels the whole transaction without reasons: the puts one by one name it.
      if (reasons === undefined) return void (await forEachConcurrent(puts, this.options.concurrency, (put) => this.putOne(put)));
      await forEachConcurrent([...puts.entries()], this.options.concurrency, async ([index, { pending }]) => {
        const reason = reasons[index];
        if (reason?.Code !== 'ConditionalCheckFailed') return;
        pending.seen = reason.Item === undefined ? await this.read(pending.key) : sliceStateOf(unmarshall(reason.Item));
      });
    }
  }

  /** A slice's state now (consistent read); empty when there is no item. */
  private async read(key: { readonly pk: string; readonly sk: string }): Promise<SliceState> {
    this.options.requests.reads += 1;
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item === undefined ? {} : sliceStateOf(Item);
  }
}
