import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DescribeStreamSummaryCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../shared/adapters/clients.js';
import { ConfigError } from '../../shared/errors.js';
import { loadServerlessModel } from '../../local/loadServerlessModel.js';
import { useLocalStack } from '../../local/stack/manage.js';
import { kinesisEvent } from '../../local/trigger/eventShape.js';
import { getShardRecords, type ShardRecord } from '../../local/trigger/getRecords.js';
import { numberFlag, stringFlag, type Command } from '../command.js';

/** `eddy record`: capture a real batch from a stream of the local stack into an event fixture. */
export const command: Command = {
  name: 'record',
  summary: 'Capture real records from a stream of the local stack into a Lambda Kinesis event fixture (events/*.json), shaped exactly as the trigger delivers them.',
  usage: 'record (--function NAME | --stream NAME) [--limit N] [--shard ID] [--out FILE]',
  details: `Reads from the start (TRIM_HORIZON) of the first shard that holds records (or --shard), up to
--limit records, as one batch: Lambda batches never span shards. With --function the stream is
the one that function's stream event reads, and the ARN in the event is that stream's.

Example:
  eddy produce --file data/sample.csv && eddy record --function enrich --limit 89 --out events/enrich-sample.json
  serverless invoke local -f enrich -p events/enrich-sample.json`,
  flags: {
    function: { type: 'string', short: 'f', description: 'Record what this function’s stream event reads' },
    stream: { type: 'string', description: 'Or name the stream directly' },
    limit: { type: 'string', short: 'n', description: 'Most records in the fixture', default: '100' },
    shard: { type: 'string', description: 'Read this shard (default: the first with records)' },
    out: { type: 'string', short: 'o', description: 'Fixture file (default: stdout)' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
  },
  async run(flags) {
    const limit = numberFlag(flags, 'limit', { min: 1, max: 10_000, integer: true }) as number;
    const state = await useLocalStack();
    const model = await loadServerlessModel({ stage: stringFlag(flags, 'stage') });
    const name = stringFlag(flags, 'function');
    const fn = name ? model.functions.find((candidate) => candidate.key === name || candidate.name === name) : undefined;
    if (name && !fn) throw new ConfigError('--function', `no function '${name}' in serverless.yml (have: ${model.functions.map((f) => f.key).join(', ')})`);
    const streamName = stringFlag(flags, 'stream') ?? fn?.streamEvents[0]?.streamName;
    if (!streamName) throw new ConfigError('--function', 'give --function NAME (with a stream event) or --stream NAME');
    const kinesis = createKinesisClient();
    const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    const wanted = stringFlag(flags, 'shard');
    for (const shard of Shards.filter((candidate) => !wanted || candidate.ShardId === wanted)) {
      const records = await readShard(kinesis, streamName, shard.ShardId ?? '', limit);
      if (records.length === 0) continue;
      const event = kinesisEvent(records, {
        shardId: shard.ShardId ?? '',
        streamArn: summary?.StreamARN ?? '',
        region: state?.region ?? model.region,
        invokeIdentityArn: `arn:aws:iam::${model.accountId}:role/${fn?.name ?? 'eddy'}-role`,
      });
      const text = `${JSON.stringify(event, null, 2)}\n`;
      const out = stringFlag(flags, 'out');
      if (out) {
        await mkdir(dirname(resolve(out)), { recursive: true });
        await writeFile(out, text);
        process.stderr.write(`Recorded ${records.length} records from ${streamName}/${shard.ShardId} into ${out}\n`);
      } else process.stdout.write(text);
      return 0;
    }
    throw new ConfigError(wanted ? '--shard' : '--stream', `no records on ${streamName}${wanted ? `/${wanted}` : ''}: produce some first`);
  },
};

async function readShard(kinesis: ReturnType<typeof createKinesisClient>, streamName: string, shardId: string, limit: number): Promise<ShardRecord[]> {
  let { ShardIterator: iterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const records: ShardRecord[] = [];
  while (iterator && records.length < limit) {
    const out = await getShardRecords(kinesis, { ShardIterator: iterator, Limit: limit - records.length });
    records.push(...out.Records);
    if (out.Records.length === 0 || out.MillisBehindLatest === 0) break;
    iterator = out.NextShardIterator;
  }
  return records;
}
