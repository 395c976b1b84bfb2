import { AggregatingRecordSink } from '../../shared/adapters/AggregatingRecordSink.js';
import { createKinesisClient } from '../../shared/adapters/clients.js';
import { KinesisRecordSink } from '../../shared/adapters/KinesisRecordSink.js';
import { ConfigError, PartialBatchError } from '../../shared/errors.js';
import { DEFAULT_SEED, MAX_STORES, planGeneration } from '../../shared/generator/options.js';
import { generateTransactions } from '../../shared/generator/transactions.js';
import { createPartitionKeyFn, parsePartitionKeySpec } from '../../shared/producer/partitionKeys.js';
import { withDuplicates } from '../../shared/producer/duplicates.js';
import { produceRecords, type ProduceSummary } from '../../shared/producer/produceRecords.js';
import { INPUT_FORMATS, parseLines, transactionLines, type InputFormat, type SourceLine } from '../../shared/producer/sources.js';
import type { RecordSink } from '../../shared/ports/RecordSink.js';
import { useLocalStack } from '../../local/stack/manage.js';
import { choiceFlag, numberFlag, stringFlag, type Command, type Flags } from '../command.js';
import { createProgress } from '../progress.js';
import { readLines, resourceName } from '../resources.js';

/** The input format of a file: by extension, CSV otherwise. */
const formatOf = (file: string | undefined): InputFormat => (file !== undefined && /\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : 'csv');

/** The source lines the flags ask for, and the expected row count when known. */
function sourceOf(flags: Flags, limit: number | undefined): { lines: AsyncIterable<SourceLine>; total?: number; label: string } {
  const file = stringFlag(flags, 'file');
  if (flags.generate === true) {
    if (file !== undefined) throw new ConfigError('--generate', 'give either --file or --generate, not both');
    const options = {
      rows: numberFlag(flags, 'rows', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }),
      seed: numberFlag(flags, 'seed', { min: 0, max: 0xffff_ffff, integer: true }),
      stores: numberFlag(flags, 'stores', { min: 1, max: MAX_STORES, integer: true }),
    };
    const plan = planGeneration(options, (name) => `--${name}`);
    return { lines: transactionLines(generateTransactions(options)), total: Math.min(plan.rows, limit ?? Infinity), label: 'generator' };
  }
  const format = choiceFlag(flags, 'format', INPUT_FORMATS) ?? formatOf(file);
  const total = limit;
  return { lines: parseLines(format, readLines(file)), ...(total !== undefined ? { total } : {}), label: file ?? 'stdin' };
}

const summaryText = (summary: ProduceSummary, stream: string, aggregate: boolean): string =>
  [
    `Produced to ${stream}${aggregate ? ' (KPL-aggregated)' : ''}:`,
    `  rows read          ${summary.rowsRead.toLocaleString('en-US')}`,
    `  records sent       ${summary.recordsSent.toLocaleString('en-US')}`,
    `  PutRecords calls   ${summary.calls.toLocaleString('en-US')}`,
    `  retries            ${summary.retries.toLocaleString('en-US')}${aggregate ? ' (aggregated records)' : ''}`,
    `  unparseable lines  ${summary.unparseable.toLocaleString('en-US')}${summary.unparseable > 0 ? ' (sent as text; the pipeline reports them)' : ''}`,
    `  failed             ${summary.failedLines.length.toLocaleString('en-US')}`,
    `  seconds            ${summary.seconds.toFixed(2)}`,
    `  rows/s             ${Math.round(summary.rowsPerSecond).toLocaleString('en-US')}`,
  ].join('\n');

/** `eddy produce`: a file, stdin or the generator to the raw stream. */
export const command: Command = {
  name: 'produce',
  summary: 'Send raw transactions (a CSV or JSON-lines file, stdin, or the generator) to the raw stream with PutRecords.',
  usage: 'produce [--file FILE | --generate] [--format csv|jsonl] [--stream NAME] [--partition-key random|field:NAME|explicit:VALUE] [--rate ROWS_PER_S] [--speed N] [--aggregate] [--limit N] [--stage STAGE]',
  details: `Each record is the row as JSON plus event_time (the send time, UTC, microseconds) and pk (the
row's stable primary key, unless it has one), so a resend is recognisable downstream. A line
that does not parse is sent as its text: the pipeline's error output is where it shows up.

Records go in PutRecords calls of up to 500 records / 5 MiB; only the entries a call reports as
failed (or a throttled call) are sent again, with exponential backoff and jitter. A record over
1 MiB stops the run with an error naming its line.

Partition keys: random gives part-00001…part-01024 from a seeded generator (reproducible);
field:store_cd keys by a column; explicit:VALUE puts everything on one shard.
--speed N replays event time N× faster (a row goes when (tr_datetime − first)/N has passed).

Examples:
  eddy produce --file week.csv --rate 500
  eddy generate --rows 10000 --format jsonl | eddy produce --format jsonl
  eddy produce --generate --limit 20000 --aggregate`,
  flags: {
    file: { type: 'string', short: 'f', description: 'CSV (header row) or JSON-lines file; stdin when absent' },
    generate: { type: 'boolean', description: 'Send generated transactions (see eddy generate; --rows, --seed, --stores)' },
    format: { type: 'string', description: 'csv or jsonl (default: by file extension, csv for stdin)' },
    stream: { type: 'string', description: 'Stream name (default: the RawStream of serverless.yml)' },
    'partition-key': { type: 'string', description: 'random, field:NAME or explicit:VALUE', default: 'random' },
    seed: { type: 'string', description: 'Seed of random partition keys and of the generator', default: String(DEFAULT_SEED) },
    duplicates: { type: 'string', description: 'Share of rows (0–1) sent twice, a few rows apart, as a retrying producer would' },
    rate: { type: 'string', description: 'At most this many rows per second' },
    speed: { type: 'string', description: 'Replay at N× the pace of tr_datetime' },
    aggregate: { type: 'boolean', description: 'KPL-aggregate records (aws-kinesis-agg format)' },
    limit: { type: 'string', description: 'Stop after N rows' },
    rows: { type: 'string', description: 'With --generate: line items to generate' },
    stores: { type: 'string', description: 'With --generate: stores in the chain' },
    concurrency: { type: 'string', description: 'PutRecords calls in flight (raise for many shards on AWS)', default: '1' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
  },
  async run(flags) {
    const limit = numberFlag(flags, 'limit', { min: 0, integer: true });
    const rate = numberFlag(flags, 'rate', { min: 0.001 });
    const speed = numberFlag(flags, 'speed', { min: 0.000001 });
    const seed = numberFlag(flags, 'seed', { min: 0, max: 0xffff_ffff, integer: true });
    const concurrency = numberFlag(flags, 'concurrency', { min: 1, max: 64, integer: true }) ?? 1;
    const partitionKey = createPartitionKeyFn(parsePartitionKeySpec(stringFlag(flags, 'partition-key') ?? 'random', seed));
    const aggregate = flags.aggregate === true;
    const duplicates = numberFlag(flags, 'duplicates', { min: 0, max: 1 });
    const source = sourceOf(flags, limit);
    await useLocalStack();
    const stream = stringFlag(flags, 'stream') ?? (await resourceName('streams', 'RawStream', stringFlag(flags, 'stage') ?? 'dev'));
    const kinesis = new KinesisRecordSink(createKinesisClient(), stream, { concurrency });
    const sink: RecordSink = aggregate ? new AggregatingRecordSink(kinesis) : kinesis;
    const progress = createProgress({ unit: 'records', label: `produce ${source.label} → ${stream}`, ...(source.total !== undefined ? { total: source.total } : {}) });
    let summary: ProduceSummary;
    try {
      const lines = duplicates ? withDuplicates(source.lines, { rate: duplicates, seed: seed ?? DEFAULT_SEED }) : source.lines;
      summary = await produceRecords(lines, sink, {
        partitionKey,
        pacing: { ...(rate !== undefined ? { rate } : {}), ...(speed !== undefined ? { speed } : {}) },
        inFlight: concurrency,
        ...(limit !== undefined ? { limit } : {}),
        onProgress: (records) => progress.tick(records),
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new ConfigError('--stream', `stream ${stream} does not exist: run 'eddy stack up' (or pass --stream)`, { cause: error });
      }
      throw error;
    } finally {
      progress.done();
    }
    process.stdout.write(`${summaryText(summary, stream, aggregate)}\n`);
    const lines = summary.failedLines;
    if (lines.length > 0) {
      throw new PartialBatchError(`${lines.length} record(s) still failed after every retry and were not sent: line(s) ${lines.slice(0, 20).join(', ')}${lines.length > 20 ? ', …' : ''}`, lines);
    }
    return 0;
  },
};
