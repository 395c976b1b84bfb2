import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  MergeShardsCommand,
  SplitShardCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createResources, type StackClients } from '../../local/stack/resources.js';
import type { ServerlessModel } from '../../local/serverlessModel.js';
import { startTrigger, type BatchResultEvent, type FailureRecordEvent, type FaultSpec, type Trigger } from '../../local/trigger/index.js';
import { AggregatingRecordSink } from '../../shared/adapters/AggregatingRecordSink.js';
import { KinesisRecordSink } from '../../shared/adapters/KinesisRecordSink.js';
import { createPartitionKeyFn } from '../../shared/producer/partitionKeys.js';
import { produceRecords } from '../../shared/producer/produceRecords.js';
import type { SourceLine } from '../../shared/producer/sources.js';
import type { RecordSink } from '../../shared/ports/RecordSink.js';
import { sleep } from '../../shared/retry.js';
import { renameModel } from './renameModel.js';
import { scanStream } from '../../local/demo/outputs.js';
import type { ScheduleInput } from './input.js';
import type { Reshard, Schedule } from './schedule.js';

/** What one run left behind, read back from the stack after the streams drained. */
export interface Observation {
  /** Every record on the clean stream (all shards, closed parents included), as bytes. */
  readonly clean: readonly Buffer[];
  /** Error documents under the error prefix: object key and body. */
  readonly errorObjects: readonly { key: string; body: string }[];
  /** Object keys elsewhere in the bucket (on-failure records land under `aws/lambda/`). */
  readonly otherObjects: readonly string[];
  /** Batches the trigger discarded to the on-failure destination. */
  readonly failureRecords: readonly FailureRecordEvent[];
  /** Each scheduled fault and whether its invocation ended the way the fault makes it end. */
  readonly fired: readonly { fault: FaultSpec; fired: boolean | 'n/a' }[];
  /** Whether the reshard happened (the stream had more shards afterwards). */
  readonly resharded?: string;
  /** Invocation outcomes by function and status. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Times `waitUntilIdle` returned while records were still on their way (see the drain loop). */
  readonly earlyIdle: number;
  readonly millis: number;
  readonly logDir: string;
  readonly names: { readonly raw: string; readonly enriched: string; readonly clean: string; readonly bucket: string; readonly errorPrefix: string };
}

/** What a run needs from the suite. */
export interface RunContext {
  /** The `faults` stage model, loaded once; products table shared and already loaded. */
  readonly model: ServerlessModel;
  readonly clients: StackClients;
  /** The SDK clients the producer and reader use (endpoints from the environment). */
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
}

const logical = <T extends { logicalId: string }>(items: readonly T[], id: string): T => {
  const found = items.find((item) => item.logicalId === id);
  if (!found) throw new Error(`serverless.yml has no ${id}`);
  return found;
};

async function* lines(items: readonly SourceLine[]): AsyncGenerator<SourceLine> {
  yield* items;
}

async function waitActive(kinesis: KinesisClient, streamName: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await sleep(20);
  }
  throw new Error(`stream ${streamName} did not become ACTIVE`);
}

export async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const out = await kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }));
    shards.push(...(out.Shards ?? []));
    token = out.NextToken;
  } while (token);
  return shards;
}

/** Splits the first open shard at the middle of its hash range, or merges the first two adjacent open shards. */
export async function reshard(kinesis: KinesisClient, streamName: string, change: Reshard): Promise<string> {
  const open = (await listShards(kinesis, streamName)).filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined);
  const range = (shard: Shard): [bigint, bigint] => [BigInt(shard.HashKeyRange?.StartingHashKey ?? '0'), BigInt(shard.HashKeyRange?.EndingHashKey ?? '0')];
  if (change.kind === 'split') {
    const shard = open[0] as Shard;
    const [start, end] = range(shard);
    await kinesis.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: shard.ShardId, NewStartingHashKey: ((start + end) / 2n).toString() }));
    await waitActive(kinesis, streamName);
    return `split ${shard.ShardId} of ${streamName}`;
  }
  const sorted = [...open].sort((a, b) => (range(a)[0] < range(b)[0] ? -1 : 1));
  const index = sorted.findIndex((shard, i) => i + 1 < sorted.length && range(shard)[1] + 1n === range(sorted[i + 1] as Shard)[0]);
  if (index < 0) throw new Error(`no adjacent open shards to merge in ${streamName}`);
  const [left, right] = [sorted[index] as Shard, sorted[index + 1] as Shard];
  await kinesis.send(new MergeShardsCommand({ StreamName: streamName, ShardToMerge: left.ShardId, AdjacentShardToMerge: right.ShardId }));
  await waitActive(kinesis, streamName);
  return `merged ${left.ShardId} and ${right.ShardId} of ${streamName}`;
}

/** Every record on a stream, all shards (closed parents included), from the trim horizon. */
export async function readStream(kinesis: KinesisClient, streamName: string): Promise<Buffer[]> {
  const records: Buffer[] = [];
  await scanStream(kinesis, streamName, (data) => records.push(Buffer.from(data)));
  return records;
}

async function readBucket(s3: S3Client, bucket: string, errorPrefix: string): Promise<{ errorObjects: { key: string; body: string }[]; otherObjects: string[] }> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  const errorKeys = keys.filter((key) => key.startsWith(errorPrefix));
  const errorObjects = await Promise.all(
    errorKeys.map(async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { key, body: (await object.Body?.transformToString()) ?? '' };
    }),
  );
  return { errorObjects, otherObjects: keys.filter((key) => !key.startsWith(errorPrefix)) };
}

/** A count of records done by each function, to tell whether a drain really was the end. */
const progressOf = (trigger: Trigger): string => JSON.stringify(trigger.stats().map((stats) => [stats.function, stats.recordsIn, stats.recordsDone, stats.invocations]));

/**
 * Drains the pipeline: `waitUntilIdle`, then waits a few poll intervals and drains again until
 * nothing moved in between. A two-stage pipeline can look idle for a moment while the first
 * stage's last write is not yet polled by the second; each such early return is counted.
 */
export async function drain(trigger: Trigger, pollIntervalMs: number): Promise<number> {
  let early = 0;
  for (let round = 0; round < 20; round++) {
    await trigger.waitUntilIdle(90_000);
    const before = progressOf(trigger);
    await sleep(pollIntervalMs * 4);
    await trigger.waitUntilIdle(90_000);
    if (progressOf(trigger) === before) return early;
    early++;
  }
  throw new Error('the pipeline never settled after 20 drains');
}

const TUNING = { pollIntervalMs: 50, discoveryIntervalMs: 100, retryBackoffMs: 10 } as const;

/**
 * Runs one schedule: its own streams, seen-key table and bucket (the model renamed with the
 * seed), the real enrich and dedupe handlers under the local trigger with the schedule's faults,
 * the producer sending the input (the plain records in two phases around a mid-run reshard, then
 * the KPL-aggregated ones, and their resend), a drain, and a read of everything that came out.
 * The streams and the table are deleted afterwards.
 */
export async function runSchedule(context: RunContext, schedule: Schedule, input: ScheduleInput): Promise<Observation> {
  const started = Date.now();
  const suffix = `s${schedule.seed}-${Math.random().toString(36).slice(2, 6)}`;
  const renamed = renameModel(context.model, suffix, { keep: ['ProductsTable'] });
  const model: ServerlessModel = {
    ...renamed,
    streams: renamed.streams.filter((stream) => ['RawStream', 'EnrichedStream', 'CleanStream'].includes(stream.logicalId)).map((stream) => ({ ...stream, shardCount: schedule.shards })),
    tables: renamed.tables.filter((table) => table.logicalId === 'DedupeTable'),
    // The suite checks the stages up to the clean stream; the aggregate stage has its own end-to-end test.
    functions: renamed.functions.filter((fn) => fn.key === 'enrich' || fn.key === 'dedupe').map((fn) => ({
      ...fn,
      // Tuning only, for speed and for more invocations to inject into: no batching window,
      // the schedule's batch size. Retries, bisect, partial responses and the destination stay as declared.
      streamEvents: fn.streamEvents.map((event) => ({ ...event, batchSize: schedule.batchSize, batchWindowSeconds: 0 })),
    })),
  };
  const enrichFn = logical(model.functions.map((fn) => ({ ...fn, logicalId: fn.key })), 'enrich');
  const names = {
    raw: logical(model.streams, 'RawStream').name,
    enriched: logical(model.streams, 'EnrichedStream').name,
    clean: logical(model.streams, 'CleanStream').name,
    bucket: logical(model.buckets, 'DataBucket').name,
    errorPrefix: enrichFn.environment.ERROR_PREFIX ?? 'data/stream_error_data/',
  };
  await createResources(model, context.clients);

  const dir = await mkdtemp(join(tmpdir(), `eddy-faults-${schedule.seed}-`));
  const logDir = join(dir, 'logs');
  const invocationNumbers = new Map<string, number>();
  const requestOf = new Map<string, { fn: string; number: number }>();
  const results = new Map<string, BatchResultEvent>();
  const failureRecords: FailureRecordEvent[] = [];
  const outcomes: Record<string, number> = {};
  const succeeded = new Map<string, number>();
  const trigger = await startTrigger({
    model,
    stateDir: join(dir, 'state'),
    logDir,
    faults: schedule.faults,
    ...TUNING,
    // The trigger numbers a function's invocations as it emits `invoke`, synchronously, so counting here gives the same numbers the faults are scoped by.
    onInvoke: (event) => {
      const number = (invocationNumbers.get(event.function) ?? 0) + 1;
      invocationNumbers.set(event.function, number);
      requestOf.set(event.requestId, { fn: event.function, number });
    },
    onBatchResult: (event) => {
      const invocation = requestOf.get(event.requestId);
      if (invocation) results.set(`${invocation.fn}#${invocation.number}`, event);
      const status = event.status === 'error' ? (event.error?.errorType ?? 'error') : event.status === 'ok' && event.verdict?.kind !== 'success' ? `ok-${event.verdict?.kind ?? '?'}` : event.status;
      const label = `${event.function}:${status}`;
      outcomes[label] = (outcomes[label] ?? 0) + 1;
      if (event.status === 'ok') succeeded.set(event.function, (succeeded.get(event.function) ?? 0) + 1);
    },
    onFailureRecord: (event) => failureRecords.push(event),
  });
  let resharded: string | undefined;
  let earlyIdle = 0;
  try {
    const partitionKey = createPartitionKeyFn({ mode: 'random', seed: schedule.seed });
    const plain = new KinesisRecordSink(context.kinesis, names.raw);
    const produce = async (items: readonly SourceLine[], sink: RecordSink = plain): Promise<void> => {
      if (items.length === 0) return;
      const summary = await produceRecords(lines(items), sink, { partitionKey, batchRecords: schedule.produceBatch, pacing: { rate: schedule.produceRate } });
      if (summary.failedLines.length > 0) throw new Error(`the producer could not send lines ${summary.failedLines.join(', ')}`);
    };
    await produce(input.phaseA);
    if (schedule.reshard) {
      // Reshard while records flow: once the stream's reader has finished a batch of it.
      const reader = schedule.reshard.stream === 'raw' ? 'enrich' : 'dedupe';
      for (let waited = 0; (succeeded.get(reader) ?? 0) === 0 && waited < 15_000; waited += 20) await sleep(20);
      resharded = await reshard(context.kinesis, schedule.reshard.stream === 'raw' ? names.raw : names.enriched, schedule.reshard);
    }
    await produce(input.phaseB);
    const aggregating = new AggregatingRecordSink(plain, { maxBytes: 4_096 });
    await produce(input.kpl, aggregating);
    await produce(input.kplResend, aggregating);
    earlyIdle = await drain(trigger, TUNING.pollIntervalMs);
  } finally {
    await trigger.stop();
  }

  const clean = await readStream(context.kinesis, names.clean);
  const { errorObjects, otherObjects } = await readBucket(context.s3, names.bucket, names.errorPrefix);
  const fired = schedule.faults.map((fault) => {
    if (fault.kind !== 'fail' && fault.kind !== 'crash') return { fault, fired: 'n/a' as const };
    const result = fault.invocation === undefined ? undefined : results.get(`${fault.function}#${fault.invocation}`);
    const fired = fault.kind === 'crash' ? result?.status === 'crash' : result?.status === 'error' && result.error?.errorType === 'InjectedFaultError';
    return { fault, fired };
  });
  await Promise.all([
    ...model.streams.map((stream) => context.clients.kinesis.send(new DeleteStreamCommand({ StreamName: stream.name }))),
    ...model.tables.map((table) => context.clients.dynamodb.send(new DeleteTableCommand({ TableName: table.name }))),
  ]);
  return { clean, errorObjects, otherObjects, failureRecords, fired, ...(resharded ? { resharded } : {}), outcomes, earlyIdle, millis: Date.now() - started, logDir, names };
}
