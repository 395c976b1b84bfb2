import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
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

/** The partition of the slice items: one item per slice start holds the state of every query with a slice there. */
export const SLICES_PARTITION = 'slices';

/** The partition of a query's own slice items, as written before one item held every query's state (still read). */
export const legacySlicePartition = (query: string): string => `slice#${query}`;

/** The item attributes that are not the slice's state. */
const KEYS = new Set(['pk', 'sk', 'v', 'expires_at', 'state']);

/** The sort key of a slice: its start, offset and zero-padded so keys sort by time. */
export const sliceSortKey = (slice: number): string => (slice === CONTINUOUS_SLICE ? 'all' : String(slice + SLICE_OFFSET).padStart(16, '0'));

/** The slice a sort key names. */
export const sliceOfSortKey = (key: string): number => (key === 'all' ? CONTINUOUS_SLICE : Number(key) - SLICE_OFFSET);

/**
 * A legacy slice item's state (one query's): its `state` attribute (deflated JSON) and its
 * version `v`, or, written before state was packed, its top-level attributes.
 */
export function sliceStateOf(item: Item): SliceState {
  const packed = item.state as Uint8Array | undefined;
  const state: SliceState = packed === undefined ? (Object.fromEntries(Object.entries(item).filter(([name]) => !KEYS.has(name))) as SliceState) : (JSON.parse(inflateRawSync(packed).toString()) as SliceState);
  if (typeof item.v === 'number') state.v = item.v;
  return state;
}

/** The states of the queries one slice item holds, by query (each with its own version `v`). */
type QueryStates = Record<string, SliceState>;

/** A slice item as read: its version (undefined: no item) and every query's state. */
interface StoredSlice {
  readonly version: number | undefined;
  readonly queries: QueryStates;
}

const NO_ITEM: StoredSlice = { version: undefined, queries: {} };

/** A slice item's version and its queries' states, unpacked. */
function storedSliceOf(item: Item): StoredSlice {
  return { version: item.v as number, queries: JSON.parse(inflateRawSync(item.state as Uint8Array).toString()) as QueryStates };
}

/** Options of {@link DynamoDBSliceWriter}. */
export interface SliceWriterOptions {
  /** Single puts in flight, when a transaction's slices are written one at a time. */
  readonly concurrency: number;
  /** The TTL (epoch seconds) of a windowed slice written now. */
  readonly expiresAt: () => number;
  /** Where requests are counted. */
  readonly requests: StateRequests;
}

/** One slice start of a batch: its updates (one per query), the item as last seen, and the queries' states once written. */
interface Pending {
  readonly slice: number;
  readonly updates: readonly SliceUpdate[];
  readonly key: { readonly pk: string; readonly sk: string };
  /** Query states from legacy items, for the queries the item does not hold yet. */
  readonly legacy: QueryStates;
  seen: StoredSlice;
  done?: QueryStates;
}

/** A put of a slice item's new state, conditional on the version it was computed from. */
interface SlicePut {
  readonly pending: Pending;
  readonly next: QueryStates;
  readonly input: PutCommandInput;
}

/** A query's slices asked for, and where the answer goes. */
interface SliceRead {
  readonly query: string;
  readonly from: number;
  readonly to: number;
  readonly resolve: (images: SliceImage[]) => void;
  readonly reject: (error: unknown) => void;
}

/** A cancellation reason as the error carries it: the document client does not unmarshall errors. */
type CancellationReason = { Code?: string; Item?: Record<string, AttributeValue> };

/**
 * Applies slice updates exactly once per record position. One item per slice start
 * (`slices` / `<start>`) holds the state of every query with a slice there, packed in one binary
 * attribute (deflated JSON, by query) beside the item's version `v`; each query's state keeps its
 * own version and per-shard checkpoints. A batch touching 8 hourly queries over 46 hours thus
 * writes ~46 items, not ~370: DynamoDB's cost and an emulator's are per item far more than per
 * byte. The writer reads the batch's items (one consistent Query), applies the batch with
 * {@link applyToSlice} and puts the new states conditional on the versions read, up to 100 a
 * `TransactWriteItems`. An item another writer changed in between cancels its transaction and
 * comes back with the failure (`ReturnValuesOnConditionCheckFailure`); the transaction is
 * computed again from it. Items of the earlier layout, one per query (`slice#<query>`), are still
 * read: a query's state found only there is carried into the shared item on its next write.
 */
export class DynamoDBSliceWriter {
  /** Per query: whether any item of the earlier layout is there (asked once per query). */
  private readonly legacy = new Map<string, Promise<boolean>>();
  /** Slice reads asked for and not yet sent. */
  private reads: SliceRead[] | undefined;

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: SliceWriterOptions,
  ) {}

  /** @returns the images of the continuous slices, as written */
  public async applySlices(shard: string, batch: BatchSpan, updates: readonly SliceUpdate[]): Promise<SliceImage[]> {
    const bySlice = new Map<number, SliceUpdate[]>();
    for (const update of updates) bySlice.set(update.slice, [...(bySlice.get(update.slice) ?? []), update]);
    const [stored, legacy] = await Promise.all([this.readItemsOf([...bySlice.keys()]), this.readLegacy(updates)]);
    const pending: Pending[] = [...bySlice].map(([slice, sliceUpdates]) => {
      const key = { pk: SLICES_PARTITION, sk: sliceSortKey(slice) };
      return { slice, updates: sliceUpdates, key, legacy: legacy.get(slice) ?? {}, seen: stored.get(slice) ?? NO_ITEM };
    });
    const first = pending.map((entry) => this.nextPut(shard, batch, entry)).filter((put): put is SlicePut => put !== undefined);
    const packedSize = (put: SlicePut): number => (put.input.Item?.state as Uint8Array).length + 200;
    await forEachConcurrent(transactionChunks(first, packedSize), 2, (chunk) => this.writeChunk(shard, batch, chunk));
    const continuous = pending.find((entry) => entry.slice === CONTINUOUS_SLICE);
    if (continuous === undefined) return [];
    const states = continuous.done ?? withLegacy(continuous.seen.queries, continuous.legacy);
    return continuous.updates.map((update) => sliceImage(update.query, CONTINUOUS_SLICE, states[update.query] ?? {}));
  }

  /**
   * A query's slices whose start is in `[from, to)`, by start (strongly consistent). Reads asked
   * for together (a firing round's queries, side by side) share their Queries: overlapping
   * ranges are read once, since one item holds every query's slice.
   */
  public readSlices(query: string, from: number, to: number): Promise<SliceImage[]> {
    return new Promise((resolve, reject) => {
      if (this.reads === undefined) {
        this.reads = [];
        queueMicrotask(() => void this.flushReads());
      }
      this.reads.push({ query, from, to, resolve, reject });
    });
  }

  /** Answers the reads asked for since the last flush: one Query per run of overlapping ranges. */
  private async flushReads(): Promise<void> {
    const reads = (this.reads ?? []).sort((a, b) => a.from - b.from);
    this.reads = undefined;
    const runs: SliceRead[][] = [];
    let end = -Infinity;
    for (const read of reads) {
      if (read.from < read.to && read.from <= end) (runs[runs.length - 1] as SliceRead[]).push(read);
      else runs.push([read]);
      end = Math.max(end, read.to);
    }
    await Promise.all(
      runs.map(async (run) => {
        try {
          const from = Math.min(...run.map((read) => read.from));
          const to = Math.max(...run.map((read) => read.to));
          const stored = from < to ? await this.readItems(from, to - 1) : new Map<number, StoredSlice>();
          await Promise.all(run.map(async (read) => read.resolve(await this.slicesOf(read, stored))));
        } catch (error) {
          for (const read of run) read.reject(error);
        }
      }),
    );
  }

  /** A read's slices from the items read for it (and its query's legacy items, if any). */
  private async slicesOf(read: SliceRead, stored: ReadonlyMap<number, StoredSlice>): Promise<SliceImage[]> {
    const states = read.from < read.to ? await this.readLegacyRange(read.query, read.from, read.to - 1) : new Map<number, SliceState>();
    for (const [slice, item] of stored) {
      const state = item.queries[read.query];
      if (state !== undefined && slice >= read.from && slice < read.to) states.set(slice, state);
    }
    return [...states].sort(([a], [b]) => a - b).map(([slice, state]) => sliceImage(read.query, slice, state));
  }

  /** The items of the given slices (and those between them), by start: a consistent Query over the windowed ones, another for the continuous one. */
  private async readItemsOf(slices: readonly number[]): Promise<Map<number, StoredSlice>> {
    const windowed = slices.filter((slice) => slice !== CONTINUOUS_SLICE);
    const reads = [...(windowed.length > 0 ? [this.readItems(Math.min(...windowed), Math.max(...windowed))] : []), ...(windowed.length < slices.length ? [this.readItems(CONTINUOUS_SLICE, CONTINUOUS_SLICE)] : [])];
    return new Map((await Promise.all(reads)).flatMap((items) => [...items]));
  }

  /** The slice items with a start in `[from, to]` (both windowed, or both continuous), by start: one consistent Query. */
  private async readItems(from: number, to: number): Promise<Map<number, StoredSlice>> {
    const items = await queryRange(this.client, { tableName: this.tableName, pk: SLICES_PARTITION, from: sliceSortKey(from), to: sliceSortKey(to), consistentRead: true }, () => (this.options.requests.reads += 1));
    return new Map(items.map((item) => [sliceOfSortKey(item.sk as string), storedSliceOf(item)]));
  }

  /** The states of the updates' queries in legacy items, by slice start and query. */
  private async readLegacy(updates: readonly SliceUpdate[]): Promise<Map<number, QueryStates>> {
    const byQuery = new Map<string, number[]>();
    for (const { query, slice } of updates) byQuery.set(query, [...(byQuery.get(query) ?? []), slice]);
    const found = new Map<number, QueryStates>();
    await forEachConcurrent([...byQuery], this.options.concurrency, async ([query, slices]) => {
      for (const [slice, state] of await this.readLegacyRange(query, Math.min(...slices), Math.max(...slices))) {
        found.set(slice, { ...found.get(slice), [query]: state });
      }
    });
    return found;
  }

  /** A query's legacy slice states with a start in `[from, to]`; nothing read once the query is known to have none. */
  private async readLegacyRange(query: string, from: number, to: number): Promise<Map<number, SliceState>> {
    if (!(await this.hasLegacy(query))) return new Map();
    const items = await queryRange(this.client, { tableName: this.tableName, pk: legacySlicePartition(query), from: sliceSortKey(from), to: sliceSortKey(to), consistentRead: true }, () => (this.options.requests.reads += 1));
    return new Map(items.map((item) => [sliceOfSortKey(item.sk as string), sliceStateOf(item)]));
  }

  /** Whether the query has any legacy slice item: asked once (no writer makes new ones). */
  private hasLegacy(query: string): Promise<boolean> {
    let known = this.legacy.get(query);
    if (known === undefined) {
      this.options.requests.reads += 1;
      known = this.client
        .send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': legacySlicePartition(query) }, Limit: 1, ConsistentRead: true }))
        .then(({ Items = [] }) => Items.length > 0);
      // A failed read is asked again next time.
      known.catch(() => this.legacy.delete(query));
      this.legacy.set(query, known);
    }
    return known;
  }

  /** The put of a slice item after the batch, from the item last seen; undefined when it holds the batch already. */
  private nextPut(shard: string, batch: BatchSpan, pending: Pending): SlicePut | undefined {
    const states = withLegacy(pending.seen.queries, pending.legacy);
    const next: QueryStates = { ...states };
    let changed = false;
    for (const update of pending.updates) {
      const state = applyToSlice(states[update.query] ?? {}, shard, batch, update);
      if (state === undefined) continue;
      next[update.query] = state;
      changed = true;
    }
    if (!changed) {
      pending.done = states;
      return undefined;
    }
    const previous = pending.seen.version;
    const input: PutCommandInput = {
      TableName: this.tableName,
      Item: { ...pending.key, v: (previous ?? 0) + 1, state: deflateRawSync(JSON.stringify(next)), ...(pending.slice === CONTINUOUS_SLICE ? {} : { expires_at: this.options.expiresAt() }) },
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

  /** One conditional put; a failed condition updates what the item was seen with. */
  private async putOne({ pending, next, input }: SlicePut): Promise<void> {
    this.options.requests.writes += 1;
    try {
      await this.client.send(new PutCommand(input));
      pending.done = next;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        const queries = pending.updates.map((update) => update.query).join(', ');
        throw itemSizeError(error, `the state of ${queries} (slice ${pending.key.sk}; too many groups for one item, even packed)`) ?? error;
      }
      pending.seen = error.Item === undefined ? await this.read(pending.key) : storedSliceOf(unmarshall(error.Item));
    }
  }

  /** One transaction of conditional puts; when cancelled, the items whose condition failed come back as they are now. */
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
        pending.seen = reason.Item === undefined ? await this.read(pending.key) : storedSliceOf(unmarshall(reason.Item));
      });
    }
  }

  /** A slice item now (consistent read). */
  private async read(key: { readonly pk: string; readonly sk: string }): Promise<StoredSlice> {
    this.options.requests.reads += 1;
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item === undefined ? NO_ITEM : storedSliceOf(Item);
  }
}

/** The item's query states, with legacy states for the queries it does not hold yet. */
const withLegacy = (queries: QueryStates, legacy: QueryStates): QueryStates => ({ ...legacy, ...queries });
