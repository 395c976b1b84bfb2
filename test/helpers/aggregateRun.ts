/**
 * Drives the aggregate operator directly, shard by shard, over records built from the test
 * input: enriched as enrich would (products joined, unknown products and malformed lines
 * dropped) and deduplicated as dedupe would, then spread over shards with increasing sequence
 * numbers. For the operator's tests and benchmark, without Kinesis.
 */
import { readFileSync } from 'node:fs';
import { FINAL_WATERMARK, type CleanInput, type WatermarkRecord } from '../../shared/aggregate/control.js';
import { eventTimeOf } from '../../shared/aggregate/eventTime.js';
import { primaryKeyOf } from '../../shared/primaryKey.js';
import { parseProductsCsv } from '../../shared/products/parseProductsCsv.js';
import { validateRawTransaction } from '../../shared/schema/rawTransaction.js';
import type { Decoded } from '../../shared/stage/decode.js';
import type { EnrichedTransaction, Product } from '../../shared/types.js';
import { fnv1a } from '../../shared/aggregate/collect.js';

/** The products of `data/products.csv`, by code. */
export function loadProductMap(path = 'data/products.csv'): Map<string, Product> {
  return new Map(parseProductsCsv(readFileSync(path)).products.map(({ product }) => [product.product_cd, product]));
}

/** Enriches and deduplicates raw JSON lines as the upstream stages would. */
export function enrichLines(lines: readonly string[], products: ReadonlyMap<string, Product>, seen = new Set<string>()): EnrichedTransaction[] {
  const out: EnrichedTransaction[] = [];
  for (const line of lines) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const checked = validateRawTransaction(json);
    if (!checked.ok) continue;
    const raw = checked.value;
    const product = products.get(raw.product_cd);
    const pk = raw.pk ?? primaryKeyOf(raw);
    if (product === undefined || seen.has(pk)) continue;
    seen.add(pk);
    const tr_datetime = `${raw.tr_datetime.slice(0, 10)}T${raw.tr_datetime.slice(11)}`;
    out.push({ ...raw, ...product, tr_datetime, event_time: raw.event_time ?? '2026-01-01T00:00:00Z', pk, src: { stream: 'raw', shard: 'shardId-000000000000', seq: '1' } });
  }
  return out;
}

/** Positions records on shards: per shard, increasing sequence numbers from `start`. */
export class ShardFeed {
  private readonly next = new Map<string, bigint>();

  public constructor(private readonly shards: readonly string[], start = 49_000_000_000_000_000_000n) {
    for (const shard of shards) this.next.set(shard, start);
  }

  /**
   * Spreads records over the shards by primary key, keeping their order within a shard. With
   * `watermarkEvery`, after each that many records every shard also gets a watermark (as enrich
   * and dedupe would put one after each batch) of the highest event time so far.
   */
  public spread(records: readonly CleanInput[], watermarkEvery?: number): Map<string, Decoded<CleanInput>[]> {
    const byShard = new Map<string, Decoded<CleanInput>[]>(this.shards.map((shard) => [shard, []]));
    let highest = Number.NEGATIVE_INFINITY;
    records.forEach((record, i) => {
      const shard = this.shards[fnv1a('pk' in record ? record.pk : '') % this.shards.length] as string;
      (byShard.get(shard) as Decoded<CleanInput>[]).push(this.decoded(shard, record));
      if ('tr_datetime' in record) highest = Math.max(highest, eventTimeOf(record.tr_datetime) as number);
      if (watermarkEvery !== undefined && ((i + 1) % watermarkEvery === 0 || i === records.length - 1)) {
        const mark: WatermarkRecord = { eddy_control: 'watermark', source: 'shardId-raw', via: 'shardId-enriched', max_event_time: highest };
        for (const [target, queue] of byShard) queue.push(this.decoded(target, mark));
      }
    });
    return byShard;
  }

  /** The end-of-input signal on every shard. */
  public final(): Map<string, Decoded<CleanInput>[]> {
    return new Map(this.shards.map((shard) => [shard, [this.decoded(shard, FINAL_WATERMARK)]]));
  }

  private decoded(shard: string, value: CleanInput): Decoded<CleanInput> {
    const seq = this.next.get(shard) as bigint;
    this.next.set(shard, seq + 1n);
    const bytes = Buffer.from(JSON.stringify(value));
    return { value, origin: { stream: 'clean', shard, seq: String(seq), partitionKey: 'pk' in value ? value.pk : 'control', arrivalTimestamp: 0, bytes } };
  }
}

/** Cuts a shard's records into batches. */
export function batchesOf<T>(records: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < records.length; i += size) batches.push(records.slice(i, i + size));
  return batches;
}

/** Interleaves the shards' batches round-robin, as concurrent pollers would roughly deliver them. */
export function interleave<T>(byShard: ReadonlyMap<string, T[]>, size: number): T[][] {
  const queues = [...byShard.values()].map((records) => batchesOf(records, size));
  const order: T[][] = [];
  for (let round = 0; queues.some((queue) => queue.length > round); round++) for (const queue of queues) if (queue[round] !== undefined) order.push(queue[round] as T[]);
  return order;
}

/** The aggregate operator, or any function of a batch. */
export type BatchOperator = (batch: Decoded<CleanInput>[]) => Promise<unknown>;

/** How a test delivers a batch: once, or with failures and redeliveries of its own. */
export type Deliver = (operator: BatchOperator, batch: Decoded<CleanInput>[], index: number) => Promise<void>;

/**
 * Feeds a test input to an operator as the pipeline would: phase 1 (enriched, deduplicated,
 * spread over the shards and interleaved in batches), then phase 2 (the late rows), then the
 * end-of-input signal on every shard.
 */
export async function feedScenario(
  input: { readonly phase1: readonly string[]; readonly phase2: readonly string[] },
  shards: readonly string[],
  operator: BatchOperator,
  deliver: Deliver = (op, batch) => op(batch).then(() => undefined),
  batchSize = 97,
  watermarkEvery = 150,
): Promise<void> {
  const products = loadProductMap();
  const seen = new Set<string>();
  const feed = new ShardFeed(shards);
  let index = 0;
  for (const phase of [enrichLines(input.phase1, products, seen), enrichLines(input.phase2, products, seen)]) {
    for (const batch of interleave(feed.spread(phase, watermarkEvery), batchSize)) await deliver(operator, batch, index++);
  }
  for (const batch of feed.final().values()) await deliver(operator, batch, index++);
}
