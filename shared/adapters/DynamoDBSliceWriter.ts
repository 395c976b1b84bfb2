import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DYNAMODB_LIMITS } from '../constants.js';
import { RetryableError } from '../errors.js';
import { checkpointAttribute, pruneExtremes, shardAttributes } from '../aggregate/partials.js';
import { CONTINUOUS_SLICE, type SliceImage, type SliceUpdate } from '../ports/AggregateStateStore.js';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import { Expression } from './dynamoExpression.js';
import { fits, guardedSet, updateStateItem, type Item, type StateRequests } from './stateUpdates.js';
import { cancelledTransaction, transactionChunks } from './transactWrites.js';

/** Optimistic attempts at one item before giving up (each loses only to a concurrent writer). */
export const MAX_ATTEMPTS = 8;
const SLICE_OFFSET = 1e15;

/** The sort key of a slice: its start, offset and zero-padded so keys sort by time. */
export const sliceSortKey = (slice: number): string => (slice === CONTINUOUS_SLICE ? 'all' : String(slice + SLICE_OFFSET).padStart(16, '0'));

/** The slice a sort key names. */
export const sliceOfSortKey = (key: string): number => (key === 'all' ? CONTINUOUS_SLICE : Number(key) - SLICE_OFFSET);

/** The batch a slice update comes from: the positions of its first and last records. */
export interface BatchSpan {
  readonly first: string;
  readonly last: string;
}

/** What the item held when a write was tried: its old image and this shard's checkpoint in it. */
interface SliceSeen {
  readonly old?: Item;
  readonly held?: string;
  /** The checkpoint, when at or past the batch's first record: only records after it are written. */
  readonly after?: string;
}

/** Extremes and sizes to write, as this shard's attributes. */
interface Guarded {
  readonly max: Map<string, number>;
  readonly min: Map<string, number>;
  readonly sizes: Map<string, number>;
}

/** Options of {@link DynamoDBSliceWriter}. */
export interface SliceWriterOptions {
  /** UpdateItem calls in flight. */
  readonly concurrency: number;
  /** The TTL (epoch seconds) of a windowed slice written now. */
  readonly expiresAt: () => number;
  /** Where requests are counted. */
  readonly requests: StateRequests;
}

/**
 * Applies slice updates to `slice#<query>` items exactly once per record position (see
 * `DynamoDBAggregateStateStore`): each write is conditional on the shard's checkpoint in the
 * item, and a failed condition brings back the old image to write only what it lacks.
 */
export class DynamoDBSliceWriter {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: SliceWriterOptions,
  ) {}

  /**
   * Windowed slices without maxima, minima or sizes go up to 100 a request: one TransactWriteItems
   * of the same conditional updates {@link applySlice} makes first, all or nothing, so a batch
   * delivered again (a condition fails) is applied one slice at a time as before. Continuous
   * slices, whose images the stage reads back, and the rest go one at a time.
   * @returns the images of the continuous slices
   */
  public async applySlices(shard: string, batch: BatchSpan, updates: readonly SliceUpdate[]): Promise<SliceImage[]> {
    const plain = updates.map((update) => ({ update, input: this.plainWrite(shard, batch, update) }));
    const images: SliceImage[] = [];
    const single = plain.filter(({ input }) => input === undefined).map(({ update }) => update);
    await forEachConcurrent(transactionChunks(plain.filter(({ input }) => input !== undefined), ({ input }) => JSON.stringify(input).length), 2, async (chunk) => {
      if (chunk.length === 1) return void single.push(...chunk.map(({ update }) => update));
      this.options.requests.writes += 1;
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: chunk.map(({ input }) => ({ Update: input as UpdateCommandInput & { UpdateExpression: string } })) }));
      } catch (error) {
        if (!cancelledTransaction(error)) throw error;
        await forEachConcurrent(chunk, this.options.concurrency, async ({ update }) => void (await this.applySlice(shard, batch, update)));
      }
    });
    await forEachConcurrent(single, this.options.concurrency, async (update) => {
      const image = await this.applySlice(shard, batch, update);
      if (update.slice === CONTINUOUS_SLICE) images.push(image);
    });
    return images;
  }

  /** A windowed slice's first write when it only adds (no extremes, no sizes), without its return values; undefined otherwise. */
  private plainWrite(shard: string, batch: BatchSpan, update: SliceUpdate): Omit<UpdateCommandInput, 'ReturnValues'> | undefined {
    if (update.slice === CONTINUOUS_SLICE || (update.sizes?.size ?? 0) > 0) return undefined;
    const delta = update.deltaAfter(undefined);
    if (delta.max.size + delta.min.size > 0) return undefined;
    const { input } = this.sliceWrite(shard, batch, update, delta.add, { max: new Map(), min: new Map(), sizes: new Map() }, {});
    if (Math.max(input.UpdateExpression?.length ?? 0, input.ConditionExpression?.length ?? 0) > DYNAMODB_LIMITS.expressionMaxChars) return undefined;
    const { ReturnValues: _values, ReturnValuesOnConditionCheckFailure: _old, ...plain } = input;
    return plain;
  }

  /**
   * The conditional update of one slice item: the sums added, this shard's checkpoint set, the
   * extremes and as many sizes as fit guarded; the sizes that do not fit come back as `overflow`.
   */
  private sliceWrite(shard: string, batch: BatchSpan, update: SliceUpdate, add: ReadonlyMap<string, number>, guarded: Guarded, seen: SliceSeen): { input: UpdateCommandInput; overflow: Map<string, number> } {
    const expression = new Expression();
    const ck = expression.name(checkpointAttribute(shard));
    const adds = [`${expression.name('v')} ${expression.value(1)}`, ...[...add].map(([name, value]) => `${expression.name(name)} ${expression.value(value)}`)];
    const sets = [`${ck} = ${expression.value(seen.after !== undefined && seen.after > batch.last ? seen.after : batch.last)}`];
    if (update.slice !== CONTINUOUS_SLICE) sets.push(`${expression.name('expires_at')} = ${expression.value(this.options.expiresAt())}`);
    const conditions = [
      seen.old === undefined ? `(attribute_not_exists(${ck}) OR ${ck} < ${expression.value(batch.first)})` : seen.held === undefined ? `attribute_not_exists(${ck})` : `${ck} = ${expression.value(seen.held)}`,
    ];
    // Extremes from the records ride with the checkpoint (they are the batch's); bucket sizes
    // are absolute, so those that do not fit in one expression follow in their own writes.
    for (const [name, value] of guarded.max) guardedSet(expression, sets, conditions, name, value, '<');
    for (const [name, value] of guarded.min) guardedSet(expression, sets, conditions, name, value, '>');
    const overflow = new Map<string, number>();
    for (const [name, value] of guarded.sizes) {
      if (fits(sets, conditions, adds)) guardedSet(expression, sets, conditions, name, value, '<');
      else overflow.set(name, value);
    }
    const input: UpdateCommandInput = {
      TableName: this.tableName,
      Key: { pk: `slice#${update.query}`, sk: sliceSortKey(update.slice) },
      UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: expression.names,
      ExpressionAttributeValues: expression.values,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
    return { input, overflow };
  }

  private async applySlice(shard: string, batch: BatchSpan, update: SliceUpdate): Promise<SliceImage> {
    const key = { pk: `slice#${update.query}`, sk: sliceSortKey(update.slice) };
    const checkpoint = checkpointAttribute(shard);
    let old: Item | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const held = old?.[checkpoint] as string | undefined;
      // A checkpoint at or past the batch's first record: the batch (or its head) is in already.
      const after = held !== undefined && held >= batch.first ? held : undefined;
      const delta = update.deltaAfter(after);
      const guarded = { max: shardAttributes(delta.max, shard), min: shardAttributes(delta.min, shard), sizes: shardAttributes(update.sizes ?? new Map(), shard) };
      if (old !== undefined) pruneExtremes(old, guarded.max, guarded.min, guarded.sizes);
      if (old !== undefined && after !== undefined && delta.add.size + guarded.max.size + guarded.min.size + guarded.sizes.size === 0) return toImage(update, old);
      const { input, overflow } = this.sliceWrite(shard, batch, update, delta.add, guarded, { ...(old === undefined ? {} : { old }), ...(held === undefined ? {} : { held }), ...(after === undefined ? {} : { after }) });
      try {
        const { Attributes = {} } = await updateStateItem(this.client, input, this.options.requests, `the state of ${update.query} (slice ${sliceSortKey(update.slice)}); it has too many groups for one item`);
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
        const { Attributes = {} } = await updateStateItem(this.client, {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }, this.options.requests);
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
}

function toImage(update: SliceUpdate, attributes: Item): SliceImage {
  return { query: update.query, slice: update.slice, attributes, version: (attributes.v as number | undefined) ?? 0 };
}
