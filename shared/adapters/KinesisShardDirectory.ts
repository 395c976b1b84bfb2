import { ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { ShardDirectory } from '../ports/ShardDirectory.js';

/** An open shard and the first hash key of its range. */
export interface OpenShard {
  readonly shardId: string;
  readonly startingHashKey: string;
}

/** Options of {@link KinesisShardDirectory}. */
export interface KinesisShardDirectoryOptions {
  /**
   * How long a listing is reused. After a reshard, a stale listing sends watermarks only to the
   * parent's range, so a child holds the pipeline back until the listing is refreshed: short
   * enough to be a pause, long enough to stay far below ListShards' 100 calls/s. @default 5,000 ms
   */
  readonly ttlMs?: number;
  /** Processing time, epoch ms. @default Date.now */
  readonly clock?: () => number;
}

/**
 * The open shards of a stream from ListShards (paginated), cached for a few seconds per
 * container: shards change only on a reshard, and a listing a little stale only delays firing.
 */
export class KinesisShardDirectory implements ShardDirectory {
  /** ListShards calls made. */
  public calls = 0;
  private cached: { readonly at: number; readonly shards: readonly OpenShard[]; readonly parents: ReadonlyMap<string, readonly string[]> } | undefined;

  public constructor(
    private readonly client: KinesisClient,
    private readonly stream: string,
    private readonly options: KinesisShardDirectoryOptions = {},
  ) {}

  public async openShards(): Promise<readonly string[]> {
    return (await this.openShardRanges()).map((shard) => shard.shardId);
  }

  public async parentsOf(shardId: string): Promise<readonly string[]> {
    // A shard the cached listing does not know is new: list again.
    if (this.cached?.parents.has(shardId) !== true) await this.list();
    return this.cached?.parents.get(shardId) ?? [];
  }

  /** The open shards with the first hash key of each: an `ExplicitHashKey` that lands on it. */
  public async openShardRanges(): Promise<readonly OpenShard[]> {
    const now = (this.options.clock ?? Date.now)();
    if (this.cached !== undefined && now - this.cached.at < (this.options.ttlMs ?? 5_000)) return this.cached.shards;
    return (await this.list()).shards;
  }

  private async list(): Promise<{ readonly shards: readonly OpenShard[]; readonly parents: ReadonlyMap<string, readonly string[]> }> {
    const now = (this.options.clock ?? Date.now)();
    const shards: OpenShard[] = [];
    const parents = new Map<string, string[]>();
    let NextToken: string | undefined;
    do {
      this.calls += 1;
      const page = await this.client.send(new ListShardsCommand(NextToken === undefined ? { StreamName: this.stream } : { NextToken }));
      for (const shard of page.Shards ?? []) {
        if (shard.ShardId === undefined) continue;
        parents.set(shard.ShardId, [shard.ParentShardId, shard.AdjacentParentShardId].filter((parent): parent is string => parent !== undefined));
        if (shard.SequenceNumberRange?.EndingSequenceNumber === undefined) shards.push({ shardId: shard.ShardId, startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0' });
      }
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    this.cached = { at: now, shards, parents };
    return this.cached;
  }
}
