import { PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../shared/adapters/clients.js';
import { KinesisShardDirectory, type OpenShard } from '../../shared/adapters/KinesisShardDirectory.js';
import { FINAL_WATERMARK } from '../../shared/aggregate/control.js';
import { forEachConcurrent } from '../../shared/batching/forEachConcurrent.js';
import { ConfigError, RetryableError } from '../../shared/errors.js';
import { useLocalStack } from '../../local/stack/manage.js';
import { stringFlag, type Command } from '../command.js';
import { resourceName } from '../resources.js';

/** PutRecord calls in flight: a few, so a stream of hundreds of shards is signalled in seconds. */
const IN_FLIGHT = 8;

/** The partition key of the control records; ExplicitHashKey decides the shard, not this. */
const CONTROL_PARTITION_KEY = 'eddy-control';

/**
 * The open shards of a stream with their first hash keys, listed now (no cache).
 * @param client - a Kinesis client
 * @param stream - the stream name
 */
export const listOpenShards = (client: KinesisClient, stream: string): Promise<readonly OpenShard[]> => new KinesisShardDirectory(client, stream, { ttlMs: 0 }).openShardRanges();

/** Where one control record was put. */
export interface SignalledShard {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/**
 * Puts one {@link FINAL_WATERMARK} record on each shard, addressed by the shard's starting hash
 * key, and checks Kinesis put it there. Returns the records' places, in the order of `shards`.
 * @throws RetryableError when a put failed or landed on another shard (a reshard under way);
 *   signalling again is safe, as a shard past its final watermark ignores another one
 */
export async function signalFinalWatermark(client: KinesisClient, stream: string, shards: readonly OpenShard[]): Promise<SignalledShard[]> {
  const data = new TextEncoder().encode(JSON.stringify(FINAL_WATERMARK));
  const sent: SignalledShard[] = [];
  try {
    await forEachConcurrent(shards, IN_FLIGHT, async ({ shardId, startingHashKey }) => {
      const out = await client.send(new PutRecordCommand({ StreamName: stream, Data: data, PartitionKey: CONTROL_PARTITION_KEY, ExplicitHashKey: startingHashKey }));
      if (out.ShardId !== shardId) throw new Error(`the record for ${shardId} landed on ${String(out.ShardId)}: is the stream being resharded?`);
      sent.push({ shardId, sequenceNumber: out.SequenceNumber ?? '' });
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new RetryableError(`${sent.length} of ${shards.length} shard(s) of ${stream} signalled, then: ${reason}. Running 'eddy watermark --final' again is safe.`, { cause: error });
  }
  const order = new Map(shards.map(({ shardId }, i) => [shardId, i]));
  return sent.sort((a, b) => (order.get(a.shardId) ?? 0) - (order.get(b.shardId) ?? 0));
}

/** `eddy watermark --final`: end of input for the aggregate stage. */
export const command: Command = {
  name: 'watermark',
  summary: 'Signal the end of input: put the final watermark on every open shard of the raw stream; it follows the records through enrich and dedupe, and the aggregate stage then fires every window still open.',
  usage: 'watermark --final [--stream NAME] [--stage STAGE]',
  details: `The aggregate stage fires a window once the watermark of every path has passed its end.
After a bounded input (a file, a day of data) the last windows never see a later record, so
they would stay open. This puts one control record on each open shard (ListShards, then
PutRecord with ExplicitHashKey = the shard's StartingHashKey):
  ${JSON.stringify(FINAL_WATERMARK)}
On the raw stream (the default) it goes behind every record already produced: enrich turns it
into a watermark at the end of time for its shard, dedupe forwards it, and once the aggregate
stage has it from every path, every window fires, as Flink's final watermark does at the end
of a bounded source. So it can be sent right after 'eddy produce'.

With --stream naming the clean stream it acts at once on that stream's shards; records still
on their way through enrich and dedupe then count as late for windowed queries. Sending it
twice is harmless; a shard opened later (a reshard) needs its own.

Example:
  eddy watermark --final
  eddy results hourly_sales      # once the aggregate stage has read it and fired the windows`,
  flags: {
    final: { type: 'boolean', description: 'Send the final (end-of-input) watermark' },
    stream: { type: 'string', description: 'Stream name (default: the RawStream of serverless.yml)' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
  },
  async run(flags, positionals) {
    if (positionals.length > 0) throw new ConfigError('eddy watermark', `unexpected argument '${positionals.join(' ')}'`);
    if (flags.final !== true) throw new ConfigError('--final', 'the final watermark is the only one eddy sends by hand: pass --final to signal the end of input on every open shard of the raw stream');
    await useLocalStack();
    const stream = stringFlag(flags, 'stream') ?? (await resourceName('streams', 'RawStream', stringFlag(flags, 'stage') ?? 'dev'));
    const client = createKinesisClient();
    let sent: SignalledShard[];
    try {
      sent = await signalFinalWatermark(client, stream, await listOpenShards(client, stream));
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new ConfigError('--stream', `stream ${stream} does not exist: run 'eddy stack up' (or pass --stream)`, { cause: error });
      }
      throw error;
    }
    const lines = sent.map(({ shardId, sequenceNumber }) => `  ${shardId}  ${sequenceNumber}`);
    process.stdout.write([`Final watermark sent to ${sent.length} open shard${sent.length === 1 ? '' : 's'} of ${stream}:`, ...lines].join('\n') + '\n');
    return 0;
  },
};
