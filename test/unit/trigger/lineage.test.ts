import { describe, expect, it } from 'vitest';
import { isChild, readyShards } from '../../../local/trigger/lineage.js';

const shards = [
  { ShardId: 's0' },
  { ShardId: 's1' },
  { ShardId: 's2', ParentShardId: 's0' },
  { ShardId: 's3', ParentShardId: 's0' },
  { ShardId: 's4', ParentShardId: 's1', AdjacentParentShardId: 's2' },
] as const;

describe('Trigger: lineage', () => {
  it('holds children back until every parent is finished', () => {
    const ids = (finished: string[], started: string[] = []): string[] =>
      readyShards([...shards], (id) => finished.includes(id), new Set(started)).map((shard) => shard.ShardId ?? '');
    expect(ids([])).toEqual(['s0', 's1']);
    expect(ids(['s0'], ['s1'])).toEqual(['s2', 's3']);
    expect(ids(['s0', 's1'], ['s2', 's3'])).toEqual([]);
    expect(ids(['s0', 's1', 's2'], ['s3'])).toEqual(['s4']);
  });

  it('reads a shard whose parent has expired from the list', () => {
    expect(readyShards([{ ShardId: 's2', ParentShardId: 's0' }], () => false, new Set()).map((shard) => shard.ShardId)).toEqual(['s2']);
    expect(isChild({ ShardId: 's2', ParentShardId: 's0' }, [{ ShardId: 's2', ParentShardId: 's0' }])).toBe(false);
    expect(isChild(shards[2], [...shards])).toBe(true);
  });
});
