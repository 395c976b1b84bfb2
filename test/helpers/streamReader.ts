import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';

/** Reads every record currently on a stream, all shards, from the trim horizon. */
export async function readAllRecords(kinesis: KinesisClient, streamName: string): Promise<_Record[]> {
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const records: _Record[] = [];
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    while (iterator) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      records.push(...(out.Records ?? []));
      if ((out.Records ?? []).length === 0 || out.MillisBehindLatest === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return records;
}
