/**
 * Chain-scale input for the S3 writer's benchmark: enriched line items shaped like
 * `data/sample_stream_records.jsonl`, in event-time order at a steady rate, cut into each shard's
 * batches as the stage decodes them, each ending with a watermark as writerRun's `watermark(...)`.
 */
import { readFileSync } from 'node:fs';
import { formatLocal } from '../../shared/aggregate/eventTime.js';
import type { WriterInput } from '../../shared/operators/s3Writer.js';
import { seededRandom } from '../../shared/random.js';
import type { Decoded } from '../../shared/stage/decode.js';

/** One line of the sample file. */
export type SampleRecord = Readonly<Record<string, string | number>>;

/** The lines of a JSON-lines file of sample records. */
export const readSamples = (path: string): SampleRecord[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SampleRecord);

/** A generated line item, its event time (epoch ms) and its store's index. */
export interface ChainRecord {
  readonly record: Record<string, unknown>;
  readonly eventTime: number;
  readonly store: number;
}

/** Options of {@link chainRecords}. */
export interface ChainOptions {
  readonly samples: readonly SampleRecord[];
  /** Event time of the first record, epoch ms (local time on the UTC axis, as `tr_datetime`). */
  readonly from: number;
  /** Event time the records stop before. */
  readonly to: number;
  /** Records a second of event time, over every store. */
  readonly rate: number;
  readonly stores: number;
  readonly seed: number;
}

const storeName = (store: number): string => `${['등촌', '역삼', '서초', '합정', '신촌'][store % 5]}${Math.floor(store / 5) + 1}점`;

/**
 * Line items of a chain in event-time order, `rate` a second: each one a sample line (its
 * product, quantity and amount) with its store, POS, receipt and times varied. Seeded.
 */
export function* chainRecords(options: ChainOptions): Generator<ChainRecord> {
  const random = seededRandom(options.seed);
  const names = Array.from({ length: options.stores }, (_, store) => storeName(store));
  for (let i = 0; ; i++) {
    const eventTime = options.from + Math.floor((i * 1000) / options.rate);
    if (eventTime >= options.to) return;
    const sample = options.samples[Math.floor(random() * options.samples.length)] as SampleRecord;
    const store = Math.floor(random() * options.stores);
    const local = formatLocal(eventTime);
    const ingested = eventTime + 300;
    // One literal of a fixed shape in the sample's field order: V8 keeps it a fast object, as JSON.parse gives the Lambda.
    const record = {
      tr_date: local.slice(0, 10),
      tr_time: local.slice(11, 13),
      store_cd: String(10_000 + store),
      store_name: names[store],
      pos_num: String(1 + (i % 3)),
      receipt_num: String(1_000 + Math.floor(random() * 9_000)),
      product_cd: sample.product_cd,
      qty: sample.qty,
      mount: sample.mount,
      division_cd: sample.division_cd,
      division_name: sample.division_name,
      maincategory_cd: sample.maincategory_cd,
      maincategory_name: sample.maincategory_name,
      subcategory_cd: sample.subcategory_cd,
      subcategory_name: sample.subcategory_name,
      product_name: sample.product_name,
      is_pb: sample.is_pb,
      tr_datetime: local,
      event_time: `${formatLocal(ingested)}.${String((ingested % 1000) * 1000).padStart(6, '0')}`,
    };
    yield { record, eventTime, store };
  }
}

/** One shard's batch as the stage decodes it, when its invocation runs, and what it spans. */
export interface Delivery {
  readonly shard: string;
  readonly batch: Decoded<WriterInput>[];
  /** Processing time of the invocation, epoch ms. */
  readonly at: number;
  /** Data records in it (the watermark not counted). */
  readonly records: number;
  readonly first: number;
  readonly last: number;
}

const NO_BYTES = new Uint8Array();

/** Cuts records into shards' batches, sequence numbers running on across them as writerRun's `writerBatch` gives them. */
export class ShardBatches {
  private sequence = 0n;

  /**
   * @param shards - records go to a shard by their store, as a partition key sends them
   * @param lagMs - from a batch's last record to its invocation: upstream stages and Lambda's polling
   */
  public constructor(
    private readonly shards: readonly string[],
    private readonly lagMs: number,
  ) {}

  /**
   * Each shard's batches of `size` records plus a watermark at the batch's last event time, in
   * the order they are delivered (when their last record has arrived); then what is left.
   * @param withBytes - keep each record's JSON bytes in its origin, as decoding leaves them
   */
  public *deliveries(records: Iterable<ChainRecord>, size: number, withBytes: boolean): Generator<Delivery> {
    const pending = this.shards.map((): ChainRecord[] => []);
    for (const entry of records) {
      const index = entry.store % this.shards.length;
      const chunk = pending[index] as ChainRecord[];
      chunk.push(entry);
      if (chunk.length === size) {
        pending[index] = [];
        yield this.deliver(index, chunk, withBytes);
      }
    }
    for (const [index, chunk] of pending.entries()) if (chunk.length > 0) yield this.deliver(index, chunk, withBytes);
  }

  /** The end-of-input signal on every shard, delivered at `time`. */
  public finals(time: number): Delivery[] {
    return this.shards.map((shard) => ({ shard, batch: [this.decoded(shard, { eddy_control: 'final_watermark' }, time, NO_BYTES)], at: time, records: 0, first: time, last: time }));
  }

  private deliver(index: number, chunk: readonly ChainRecord[], withBytes: boolean): Delivery {
    const shard = this.shards[index] as string;
    const first = (chunk[0] as ChainRecord).eventTime;
    const last = (chunk[chunk.length - 1] as ChainRecord).eventTime;
    const values: WriterInput[] = [...chunk.map((entry) => entry.record), { eddy_control: 'watermark', source: 'raw-0', max_event_time: last }];
    const batch = values.map((value) => this.decoded(shard, value, last, withBytes ? Buffer.from(JSON.stringify(value)) : NO_BYTES));
    return { shard, batch, at: last + this.lagMs, records: chunk.length, first, last };
  }

  private decoded(shard: string, value: WriterInput, arrival: number, bytes: Uint8Array): Decoded<WriterInput> {
    this.sequence += 1n;
    return { value, origin: { stream: 'eddy-clean', shard, seq: String(49_000_000_000_000_000_000n + this.sequence), partitionKey: 'k', arrivalTimestamp: arrival, bytes } };
  }
}
