/**
 * The shards of the input stream that are open now. The watermark waits for each of them (as
 * Flink waits for every split) until it has reported or has been idle for the idle timeout, so
 * that the first shard to report cannot fire windows the others still hold records for.
 */
export interface ShardDirectory {
  /** Open shard ids (a closed parent's records are all delivered before its children's). */
  openShards(): Promise<readonly string[]>;
}
