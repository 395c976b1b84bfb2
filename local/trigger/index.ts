import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { createKinesisClient, createS3Client } from '../../shared/adapters/clients.js';
import { ConfigError, PipelineError } from '../../shared/errors.js';
import { sleep } from '../../shared/retry.js';
import type { FunctionModel } from '../serverlessModel.js';
import { WorkerPool } from './invoker.js';
import { mappingUuid } from './onFailure.js';
import { startSchedules, type LocalSchedule } from './schedules.js';
import { StreamMapping } from './StreamMapping.js';
import type { ShardStats, TriggerEventMap, TriggerOptions } from './types.js';

export type * from './types.js';
export type { FaultSpec, InvocationFault, ThrottleFault, PartialFailureFault, DeliverTwiceFault } from './faults.js';
export { parseFaults } from './faults.js';
export type { FailureRecord } from './onFailure.js';

/** Counters of one function, summed over its shards, with the per-shard detail. */
export interface FunctionStats extends Omit<ShardStats, 'finished'> {
  readonly function: string;
  readonly shards: Readonly<Record<string, ShardStats>>;
}

/** Options of {@link Trigger.waitUntilIdle}. */
export interface IdleOptions {
  /**
   * The input has ended (nothing more will be put from outside the pipeline): whenever no
   * invocation runs anywhere, no stage can put more records, so records waiting for a batching
   * window go at once instead of at its end. Batches may be smaller; what is delivered is the
   * same. @default false
   */
  readonly inputEnded?: boolean;
}

/** A running local Kinesis trigger. */
export interface Trigger {
  /** Subscribes to `invoke`, `batchResult`, `checkpoint`, `failureRecord` or `error`. */
  readonly events: EventEmitter<TriggerEventMap>;
  /** The functions being run (keys). */
  readonly functions: readonly string[];
  /** Counters per function and shard, live. */
  stats(): FunctionStats[];
  /**
   * Resolves once every shard is caught up (a GetRecords started after the call found nothing
   * new), nothing is buffered or in flight, and no child shard is waiting to start.
   * @param timeoutMs - rejects after this long @default 60000
   * @param options - how to wait
   */
  waitUntilIdle(timeoutMs?: number, options?: IdleOptions): Promise<void>;
  /** Alias of {@link Trigger.waitUntilIdle}. */
  drain(timeoutMs?: number, options?: IdleOptions): Promise<void>;
  /** Stops polling, lets in-flight invocations finish, writes checkpoints and ends the workers. */
  stop(): Promise<void>;
}

/** How often {@link Trigger.waitUntilIdle} looks again while some shard still has records to deliver. */
const BUSY_RECHECK_MS = 100;

const selected = (fn: FunctionModel, names: readonly string[] | undefined): boolean => !names || names.includes(fn.key) || names.includes(fn.name);

/**
 * Starts the local equivalent of Lambda's Kinesis event source mappings for every function
 * (or the selected ones) with an enabled `stream` event in serverless.yml. Resolves once every
 * shard has its iterator, so records put afterwards are seen even with `LATEST`.
 * The SDK clients take their endpoints from the environment (`useLocalStack()`).
 */
export async function startTrigger(options: TriggerOptions): Promise<Trigger> {
  const { model } = options;
  const cwd = options.cwd ?? process.cwd();
  const unknown = (options.functions ?? []).filter((name) => !model.functions.some((fn) => fn.key === name || fn.name === name));
  if (unknown.length > 0) throw new ConfigError('--function', `no function ${unknown.join(', ')} in serverless.yml (have: ${model.functions.map((fn) => fn.key).join(', ')})`);
  const functions = model.functions.filter((fn) => selected(fn, options.functions) && (fn.streamEvents.some((event) => event.enabled) || fn.schedules.length > 0));
  const events = new EventEmitter<TriggerEventMap>();
  events.on('error', ({ function: name, shardId, error }) => options.log?.(`[${name}${shardId ? ` ${shardId}` : ''}] ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
  // A failed invocation is retried (or bisected) as Lambda would; say why it failed.
  events.on('batchResult', ({ function: name, shardId, status, error, records }) => {
    if (status !== 'ok') options.log?.(`[${name} ${shardId}] ${status} on ${records} records: ${error ? `${error.errorType}: ${error.errorMessage}` : 'no detail'} (delivered again)`);
  });
  if (options.onInvoke) events.on('invoke', options.onInvoke);
  if (options.onBatchResult) events.on('batchResult', options.onBatchResult);
  if (options.onCheckpoint) events.on('checkpoint', options.onCheckpoint);
  if (options.onFailureRecord) events.on('failureRecord', options.onFailureRecord);
  if (options.onWarm) events.on('warm', options.onWarm);

  const kinesis = createKinesisClient();
  const s3 = createS3Client();
  let stopped = false;
  const pools: WorkerPool[] = [];
  const warming: Promise<void>[] = [];
  const logs: WriteStream[] = [];
  if (options.logDir) mkdirSync(resolve(cwd, options.logDir), { recursive: true });
  // Inside the project, so the bundles' require() of the AWS SDK finds node_modules; one directory per trigger.
  const bundleDir = options.bundle === false ? undefined : join(cwd, 'node_modules', '.cache', 'eddy-trigger', `${process.pid}-${randomUUID().slice(0, 8)}`);
  const mappings: { fn: FunctionModel; mapping: StreamMapping }[] = [];
  const schedules: LocalSchedule[] = [];
  for (const fn of functions) {
    const output = options.logDir ? createWriteStream(join(resolve(cwd, options.logDir), `${fn.key}.log`), { flags: 'a' }) : undefined;
    if (output) logs.push(output);
    const pool = new WorkerPool({ model, fn, cwd, ...(output ? { output } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(bundleDir === undefined ? {} : { bundleDir }) });
    pools.push(pool);
    warming.push(pool.prewarm(options.prewarm ?? 0));
    for (const rateMs of fn.schedules) schedules.push({ fn, pool, intervalMs: options.scheduleIntervalMs ?? rateMs });
    const invocations = { count: 0 };
    for (const settings of fn.streamEvents.filter((event) => event.enabled)) {
      const mapping = new StreamMapping({
        kinesis,
        batch: { fn, settings, pool, s3, events, faults: options.faults ?? [], invocations, uuid: mappingUuid(pool.functionArn, settings.streamArn), retryBackoffMs: options.retryBackoffMs ?? 100, stopped: () => stopped },
        stateDir: resolve(cwd, options.stateDir),
        region: model.region,
        invokeIdentityArn: `arn:aws:iam::${model.accountId}:role/${fn.name}-role`,
        discoveryIntervalMs: options.discoveryIntervalMs ?? 2_000,
        pollIntervalMs: options.pollIntervalMs ?? 1_000,
        getRecordsLimit: options.getRecordsLimit ?? 10_000,
        ...(options.maxBufferedRecords !== undefined ? { maxBufferedRecords: options.maxBufferedRecords } : {}),
        log: options.log ?? (() => undefined),
      });
      mappings.push({ fn, mapping });
    }
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopAll());
  let stopSchedules = async (): Promise<void> => undefined;
  const stopAll = async (): Promise<void> => {
    stopped = true;
    await stopSchedules();
    await Promise.all(mappings.map(({ mapping }) => mapping.stop()));
    await Promise.all(pools.map((pool) => pool.close()));
    await Promise.all(logs.map((log) => new Promise((done) => log.end(done))));
    if (bundleDir !== undefined) rmSync(bundleDir, { recursive: true, force: true });
    kinesis.destroy();
    s3.destroy();
  };
  try {
    // Provisioned environments finish their init before the mappings start, as on AWS.
    const warmStarted = performance.now();
    await Promise.all(warming);
    if (options.prewarm) events.emit('warm', { environments: options.prewarm * pools.length, millis: performance.now() - warmStarted });
    await Promise.all(mappings.map(({ mapping }) => mapping.start()));
    stopSchedules = startSchedules(schedules, events, { region: model.region, account: model.accountId });
  } catch (error) {
    await stop();
    throw error;
  }

  let lastInvocationEnded = 0;
  events.on('batchResult', () => (lastInvocationEnded = Date.now()));
  const waitUntilIdle = async (timeoutMs = 60_000, idle: IdleOptions = {}): Promise<void> => {
    const since = Date.now();
    const deadline = since + timeoutMs;
    let idleChecks = 0;
    while (idleChecks < 2) {
      if (Date.now() > deadline) throw new PipelineError(`waitUntilIdle: the trigger was still busy after ${timeoutMs} ms`);
      // While any shard has records to deliver, asking the streams would only load the emulator
      // (every mapping's ListShards and GetRecords, 40 times a second): look again later.
      if (!mappings.every(({ mapping }) => mapping.isQuiet())) {
        if (idle.inputEnded === true && !mappings.some(({ mapping }) => mapping.isInvoking())) mappings.forEach(({ mapping }) => mapping.flushWindows());
        idleChecks = 0;
        await sleep(BUSY_RECHECK_MS);
        continue;
      }
      const started = await Promise.all(mappings.map(({ mapping }) => mapping.refresh()));
      mappings.forEach(({ mapping }) => mapping.poke());
      // An invocation may put records on a stream another mapping reads: every shard must have
      // found nothing in a poll that started after the last invocation anywhere finished.
      const quietSince = Math.max(since, lastInvocationEnded);
      idleChecks = started.every((count) => count === 0) && mappings.every(({ mapping }) => mapping.isIdle(quietSince)) ? idleChecks + 1 : 0;
      await sleep(25);
    }
  };

  return {
    events,
    functions: functions.map((fn) => fn.key),
    stats: () =>
      functions.map((fn) => {
        const shards: Record<string, ShardStats> = {};
        for (const { mapping } of mappings.filter((entry) => entry.fn === fn)) for (const [id, stats] of mapping.stats) shards[id] = { ...stats };
        const sum = (key: Exclude<keyof ShardStats, 'finished'>): number => Object.values(shards).reduce((total, stats) => total + stats[key], 0);
        return {
          function: fn.key,
          shards,
          recordsIn: sum('recordsIn'),
          recordsDone: sum('recordsDone'),
          invocations: sum('invocations'),
          errors: sum('errors'),
          retries: sum('retries'),
          recordsFailed: sum('recordsFailed'),
          behind: sum('behind'),
          millisBehindLatest: Math.max(0, ...Object.values(shards).map((stats) => stats.millisBehindLatest)),
        };
      }),
    waitUntilIdle,
    drain: waitUntilIdle,
    stop,
  };
}
