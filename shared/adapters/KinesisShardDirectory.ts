import { ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { ShardDirectory } from '../ports/ShardDirectory.js';

/** An open shard and the first hash key of its range. */
export interface OpenShard {
  readonly shardId: string;
  readonly startingHashKey: string;
}

/** Options of {@link KinesisShardDirectory}. */
export interface KinesisShardDirectoryOptions {
  /** How long a listing is reused. @default 30,000 ms */
  readonly ttlMs?: number;
  /** Processing time, epoch ms. @default Date.now */
  readonly clock?: () => number;
}

/**
 * The open shards of a stream from ListShards (paginated), cached for a while per container:
 * shards change only on a reshard, and a listing a little stale only delays firing (a new child
 * shard is waited for once it is listed; a closed parent stops counting once it is idle).
 */
export class KinesisShardDirectory implements ShardDirectory {
  /** ListShards calls made. */
  public calls = 0;
  private cached: { readonly at: number; readonly shards: readonly OpenShard[] } | undefined;

  public constructor(
    private readonly client: KinesisClient,
    private readonly stream: string,
    private readonly options: KinesisShardDirectoryOptions = {},
  ) {}

  public async openShards(): Promise<readonly string[]> {
    return (await this.openShardRanges()).map((shard) => shard.shardId);
  }

  /** The open shards with the first hash key of each: an `ExplicitHashKey` that lands on it. */
  public async openShardRanges(): Promise<readonly OpenShard[]> {
    const now = (this.options.clock ?? Date.now)();
    if (this.cached !== undefined && now - this.cached.at < (this.options.ttlMs ?? 30_000)) return this.cached.shards;
    const shards: OpenShard[] = [];
    let NextToken: string | undefined;
    do {
      this.calls += 1;
      const page = await this.client.send(new ListShardsCommand(NextToken === undefined ? { StreamName: this.stream } : { NextToken }));
      for (const shard of page.Shards ?? []) {
        if (shard.SequenceNumberRange?.EndingSequenceNumber === undefined && shard.ShardId !== undefined) shards.push({ shardId: shard.ShardId, startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0' });
      }
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    this.cached = { at: now, shards };
    return shards;
  }
}
