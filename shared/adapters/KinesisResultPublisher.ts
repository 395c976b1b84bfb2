import { PartialBatchError } from '../errors.js';
import type { PublishedKeys } from '../ports/PublishedKeys.js';
import type { PublishedRow, ResultPublisher } from '../ports/ResultPublisher.js';
import type { RecordSink } from '../ports/RecordSink.js';

/**
 * Publishes result rows to the aggregates stream, one JSON record per row, partitioned by query
 * and window so a window's rows share a shard. With `since` (a firing completed after its
 * claimer died) it first asks the stream which rows are already there and sends only the rest.
 */
export class KinesisResultPublisher implements ResultPublisher {
  public constructor(
    private readonly sink: RecordSink,
    private readonly published: PublishedKeys,
    private readonly stream: string,
  ) {}

  public async publish(rows: readonly PublishedRow[], options: { readonly since?: number } = {}): Promise<void> {
    let pending = rows;
    if (options.since !== undefined && rows.length > 0) {
      const found = await this.published.find({
        stream: this.stream,
        since: options.since,
        wanted: new Set(rows.map((row) => row.pk)),
        keyOf: (value) => (typeof value === 'object' && value !== null && typeof (value as { pk?: unknown }).pk === 'string' ? (value as { pk: string }).pk : undefined),
      });
      pending = rows.filter((row) => !found.has(row.pk));
    }
    if (pending.length === 0) return;
    const outcome = await this.sink.put(pending.map((row) => ({ data: JSON.stringify(row), partitionKey: `${row.query}|${String(row.window_start ?? '')}` })));
    if (outcome.failed.length > 0) throw new PartialBatchError(`${outcome.failed.length} of ${pending.length} result rows could not be put on ${this.stream}`, outcome.failed);
  }
}
