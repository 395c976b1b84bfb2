import type { Shard } from '@aws-sdk/client-kinesis';

/**
 * Shard lineage after SplitShard and MergeShards: Lambda reads a child shard only after every
 * parent is fully processed, so records of one partition key stay in order across a reshard.
 */

/** The lineage fields of a shard (ListShards). */
export type ShardLink = Pick<Shard, 'ShardId' | 'ParentShardId' | 'AdjacentParentShardId'>;

/** The parents of a shard (one after a split, two after a merge). */
export const parentsOf = (shard: ShardLink): string[] => [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => Boolean(id));

/**
 * Shards that may be read now: not started, not finished, and every parent still listed is
 * finished (a parent gone from the list has expired, so nothing of it remains to read).
 * @param shards - the stream's shards (ListShards)
 * @param isFinished - whether a shard was fully processed
 * @param started - shards already being read
 */
export function readyShards<S extends ShardLink>(shards: readonly S[], isFinished: (shardId: string) => boolean, started: ReadonlySet<string>): S[] {
  const listed = new Set(shards.map((shard) => shard.ShardId ?? ''));
  return shards.filter((shard) => {
    const id = shard.ShardId ?? '';
    if (started.has(id) || isFinished(id)) return false;
    return parentsOf(shard).every((parent) => !listed.has(parent) || isFinished(parent));
  });
}

/** Whether a shard descends from a listed shard: such a shard is read from its start (TRIM_HORIZON). */
export const isChild = (shard: ShardLink, shards: readonly ShardLink[]): boolean => {
  const listed = new Set(shards.map((candidate) => candidate.ShardId));
  return parentsOf(shard).some((parent) => listed.has(parent));
};
