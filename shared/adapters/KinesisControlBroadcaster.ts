import type { ControlRecord } from '../aggregate/control.js';
import type { ControlBroadcaster } from '../ports/ControlBroadcaster.js';
import type { RecordSink } from '../ports/RecordSink.js';
import type { KinesisShardDirectory } from './KinesisShardDirectory.js';

/** The partition key of control records; their `ExplicitHashKey` picks the shard. */
const CONTROL_PARTITION_KEY = 'eddy-control';

/**
 * Broadcasts control records to a Kinesis stream: each record once per open shard, addressed by
 * `ExplicitHashKey` (the shard's first hash key), in one PutRecords for up to 500 entries.
 * A new shard (after a reshard) gets them once the shard listing is refreshed.
 */
export class KinesisControlBroadcaster implements ControlBroadcaster {
  public constructor(
    private readonly sink: RecordSink,
    private readonly shards: KinesisShardDirectory,
  ) {}

  public async broadcast(records: readonly ControlRecord[]): Promise<void> {
    if (records.length === 0) return;
    const shards = await this.shards.openShardRanges();
    const entries = shards.flatMap((shard) => records.map((record) => ({ data: JSON.stringify(record), partitionKey: CONTROL_PARTITION_KEY, explicitHashKey: shard.startingHashKey })));
    // Entries still throttled after the sink's retries are left out: a missing watermark only
    // holds the reader back until the next one, while failing the batch would put its records again.
    await this.sink.put(entries);
  }
}
