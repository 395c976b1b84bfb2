import type { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { sleep } from '../../shared/retry.js';
import type { FunctionModel, StreamEventSettings } from '../serverlessModel.js';
import { verdictOf } from './batching.js';
import { arrivalSeconds, kinesisEvent, type EventSource } from './eventShape.js';
import type { ShardRecord } from './getRecords.js';
import { faultsFor, splitFaults, type FaultSpec } from './faults.js';
import type { InvokeOutcome, WorkerPool } from './invoker.js';
import { failureRecord, sendFailureRecord, type FailureCondition } from './onFailure.js';
import type { ShardStats, TriggerEventMap } from './types.js';

/**
 * Delivers one batch to the function until every record in it is done, as Lambda's Kinesis
 * event source mapping does: partial batch responses, bisection on function errors, retries
 * with backoff up to `maximumRetryAttempts`, discarding records older than
 * `maximumRecordAgeInSeconds`, and the failure record to the on-failure destination.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */

/** What a batch needs from its event source mapping. */
export interface BatchContext {
  readonly fn: FunctionModel;
  readonly settings: StreamEventSettings;
  readonly pool: WorkerPool;
  readonly s3: S3Client;
  readonly events: EventEmitter<TriggerEventMap>;
  readonly faults: readonly FaultSpec[];
  /** Invocations of this function so far, shared by all its shards (fault scoping counts them). */
  readonly invocations: { count: number };
  readonly uuid: string;
  readonly retryBackoffMs: number;
  readonly stopped: () => boolean;
}

/** One shard's view: where records come from and where progress goes. */
export interface ShardSink {
  readonly source: EventSource;
  readonly stats: ShardStats;
  /** Marks records done (processed or discarded); the checkpoint follows. */
  done(records: readonly ShardRecord[]): void;
}

/**
 * Runs a batch to completion.
 * @returns false when the trigger stopped first (the records stay unprocessed and are read again on restart)
 */
export async function runBatch(
  ctx: BatchContext,
  shard: ShardSink,
  records: readonly ShardRecord[],
  attempt = 0,
  history: { readonly invokeCount: number; readonly lastError?: InvokeOutcome } = { invokeCount: 0 },
): Promise<boolean> {
  const { settings } = ctx;
  let pending = records;
  // A bisected half inherits its parent's invocations, so a failure record counts them all.
  let invokeCount = history.invokeCount;
  let lastError: InvokeOutcome | undefined = history.lastError;
  while (pending.length > 0) {
    if (ctx.stopped()) return false;
    const expired = expiredPrefix(pending, settings.maximumRecordAgeInSeconds);
    if (expired > 0) {
      await discard(ctx, shard, pending.slice(0, expired), 'MaximumRecordAgeExceeded', invokeCount, lastError);
      pending = pending.slice(expired);
      continue;
    }
    const event = kinesisEvent(pending, shard.source);
    const outcome = await invoke(ctx, shard, event, attempt);
    invokeCount++;
    let functionError = true;
    if (outcome.status === 'ok') {
      const verdict = verdictOf(outcome.response, pending.map((record) => record.SequenceNumber), settings.reportBatchItemFailures);
      if (verdict.kind === 'success') {
        shard.done(pending);
        return true;
      }
      if (verdict.kind === 'partial') {
        shard.done(pending.slice(0, verdict.index));
        pending = pending.slice(verdict.index);
        functionError = false;
      }
    } else {
      lastError = outcome;
    }
    // Splitting does not count toward the retry quota; each half is delivered on its own.
    if (functionError && settings.bisectBatchOnFunctionError && pending.length > 1) {
      const half = Math.ceil(pending.length / 2);
      const inherited = { invokeCount, ...(lastError ? { lastError } : {}) };
      if (!(await runBatch(ctx, shard, pending.slice(0, half), attempt, inherited))) return false;
      return runBatch(ctx, shard, pending.slice(half), attempt, inherited);
    }
    attempt++;
    if (settings.maximumRetryAttempts >= 0 && attempt > settings.maximumRetryAttempts) {
      await discard(ctx, shard, pending, 'RetryAttemptsExhausted', invokeCount, lastError);
      return true;
    }
    shard.stats.retries++;
    await sleep(Math.min(30_000, ctx.retryBackoffMs * attempt));
  }
  return true;
}

/** How many leading records are older than the maximum age (records arrive in order). */
function expiredPrefix(records: readonly ShardRecord[], maxAgeSeconds: number): number {
  if (maxAgeSeconds < 0) return 0;
  const cutoff = Date.now() / 1000 - maxAgeSeconds;
  const index = records.findIndex((record) => arrivalSeconds(record) >= cutoff);
  return index < 0 ? records.length : index;
}

async function invoke(ctx: BatchContext, shard: ShardSink, event: ReturnType<typeof kinesisEvent>, attempt: number): Promise<InvokeOutcome> {
  const number = ++ctx.invocations.count;
  const { worker, deliverTwice } = splitFaults(faultsFor(ctx.faults, ctx.fn, number));
  let outcome = await invokeOnce(ctx, shard, event, attempt, worker);
  if (deliverTwice && outcome.status === 'ok') {
    ctx.invocations.count++;
    outcome = await invokeOnce(ctx, shard, event, attempt, []);
  }
  return outcome;
}

async function invokeOnce(ctx: BatchContext, shard: ShardSink, event: ReturnType<typeof kinesisEvent>, attempt: number, faults: Parameters<WorkerPool['invoke']>[1]): Promise<InvokeOutcome> {
  const requestId = randomUUID();
  const base = { function: ctx.fn.key, shardId: shard.source.shardId, requestId };
  ctx.events.emit('invoke', { ...base, event, attempt });
  shard.stats.invocations++;
  const outcome = await ctx.pool.invoke(event, faults, requestId);
  const records = event.Records.length;
  if (outcome.status === 'ok') {
    const verdict = verdictOf(outcome.response, event.Records.map((record) => record.kinesis.sequenceNumber), ctx.settings.reportBatchItemFailures);
    if (verdict.kind !== 'success') shard.stats.errors++;
    ctx.events.emit('batchResult', { ...base, records, status: 'ok', verdict, cold: outcome.cold, millis: outcome.millis });
  } else {
    shard.stats.errors++;
    ctx.events.emit('batchResult', { ...base, records, status: outcome.status, error: outcome.error, cold: outcome.cold, millis: outcome.millis });
  }
  return outcome;
}

async function discard(
  ctx: BatchContext,
  shard: ShardSink,
  records: readonly ShardRecord[],
  condition: FailureCondition,
  invokeCount: number,
  lastError: InvokeOutcome | undefined,
): Promise<void> {
  const record = failureRecord({
    records,
    shardId: shard.source.shardId,
    streamArn: shard.source.streamArn,
    functionArn: ctx.pool.functionArn,
    condition,
    invokeCount,
    ...(lastError && lastError.status !== 'ok' ? { error: lastError.error } : {}),
    payload: kinesisEvent(records, shard.source),
  });
  let key: string | undefined;
  // The failure record is the only trace of records about to be skipped: keep trying to write
  // it (the shard waits) until it lands or the trigger stops, and only then move past them.
  for (let attempt = 0; ctx.settings.onFailure && key === undefined; attempt++) {
    try {
      key = await sendFailureRecord(ctx.s3, ctx.settings.onFailure, ctx.uuid, record);
    } catch (error) {
      ctx.events.emit('error', { function: ctx.fn.key, shardId: shard.source.shardId, error });
      if (ctx.stopped()) return;
      await sleep(Math.min(5_000, ctx.retryBackoffMs * 2 ** Math.min(attempt, 10)));
    }
  }
  shard.stats.recordsFailed += records.length;
  ctx.events.emit('failureRecord', { function: ctx.fn.key, shardId: shard.source.shardId, record, ...(key ? { key } : {}) });
  shard.done(records);
}
