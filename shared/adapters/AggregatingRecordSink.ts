import { aggregateRecords, type AggregateOptions } from '../kpl.js';
import type { OutputRecord, PutOutcome, RecordSink } from '../ports/RecordSink.js';

/**
 * A {@link RecordSink} that KPL-aggregates records before handing them to another sink (usually
 * a `KinesisRecordSink`): many small records travel as few Kinesis records, which saves
 * PutRecords calls and per-record shard throughput. When an aggregated record fails after every
 * retry, all of its user records are reported as failed. `calls` and `retries` are the inner
 * sink's (counted in Kinesis records, not user records).
 */
export class AggregatingRecordSink implements RecordSink {
  readonly #inner: RecordSink;
  readonly #options: AggregateOptions;

  /**
   * @param inner - the sink that sends the aggregated records
   * @param options - target aggregate size
   */
  public constructor(inner: RecordSink, options: AggregateOptions = {}) {
    this.#inner = inner;
    this.#options = options;
  }

  /** Aggregates `records` and sends them; failed indexes refer to `records`. */
  public async put(records: readonly OutputRecord[]): Promise<PutOutcome> {
    const aggregates = aggregateRecords(records, this.#options);
    const outcome = await this.#inner.put(aggregates.map(({ record }) => record));
    const failed = outcome.failed.flatMap((index) => aggregates[index]?.indexes ?? []);
    return { failed, calls: outcome.calls, ...(outcome.retries !== undefined ? { retries: outcome.retries } : {}) };
  }
}
