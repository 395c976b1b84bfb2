/**
 * The shards of the input stream that are open now. The watermark waits for each of them (as
 * Flink waits for every split) until it has reported or has been idle for the idle timeout, so
 * that the first shard to report cannot fire windows the others still hold records for.
 */
export interface ShardDirectory {
  /** Open shard ids (a closed parent's records are all delivered before its children's). */
  openShards(): Promise<readonly string[]>;
  /**
   * The parents of a shard (one after a split, two after a merge, none for an original shard).
   * Lambda reads a child only after its parents' last record, so once a child reports, its
   * parents are finished and stop holding the watermark.
   */
  parentsOf(shardId: string): Promise<readonly string[]>;
}
