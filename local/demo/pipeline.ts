import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createDynamoDBDocumentClient, createKinesisClient } from '../../shared/adapters/clients.js';
import { DynamoDBItemWriter } from '../../shared/adapters/DynamoDBItemWriter.js';
import { KinesisRecordSink } from '../../shared/adapters/KinesisRecordSink.js';
import { KINESIS_LIMITS } from '../../shared/constants.js';
import { ConfigError, PipelineError, RetryableError } from '../../shared/errors.js';
import { createPartitionKeyFn, parsePartitionKeySpec } from '../../shared/producer/partitionKeys.js';
import { produceRecords, type ProduceSummary } from '../../shared/producer/produceRecords.js';
import type { SourceLine } from '../../shared/producer/sources.js';
import { loadProducts } from '../../shared/products/loadProducts.js';
import { parseProductsCsv } from '../../shared/products/parseProductsCsv.js';
import { listOpenShards, signalFinalWatermark } from '../../cli/commands/watermark.js';
import { createProgress } from '../../cli/progress.js';
import type { ServerlessModel } from '../serverlessModel.js';
import { runningState, stackDown, stackUp, useLocalStack } from '../stack/manage.js';
import type { StackPorts } from '../stack/stack.js';
import { stateDir } from '../stack/stackState.js';
import { startTrigger, type FunctionStats, type Trigger } from '../trigger/index.js';
import { serveDashboard, type LocalDashboard } from '../dashboard/serveDashboard.js';
import type { ReplayProgressFile } from './replayProgress.js';
import { startStageProgress } from './stageProgress.js';

/** The resources of serverless.yml a whole-pipeline run reads and writes, by their deployed names. */
export interface PipelineNames {
  readonly raw: string;
  readonly enriched: string;
  readonly clean: string;
  readonly products: string;
  readonly results: string;
  readonly bucket: string;
}

/** What a run of the pipeline hands to its `settle` and `report` steps. */
export interface PipelineRun {
  readonly model: ServerlessModel;
  readonly names: PipelineNames;
  /** Where the functions log (and `eddy stats` reads their reports). */
  readonly logDir: string;
  readonly produced: ProduceSummary;
  /** When the streams must be drained and settled by (epoch ms, from the `timeoutMs` option). */
  readonly deadline: number;
  /** Prints a line for the user (stdout). */
  readonly say: (line: string) => void;
  /** Prints a progress line (stderr). */
  readonly log: (line: string) => void;
  /** The dashboard, when served. */
  readonly dashboard?: LocalDashboard;
}

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  /** The command, to name in messages (`eddy demo`). */
  readonly command: string;
  readonly stage: string;
  readonly ports: StackPorts;
  /** Shards of every stream on the local stack. @default serverless.yml's (params.shards) */
  readonly shards?: number;
  /** Stop a running stack first (and, with `persist`, drop its data) instead of refusing to run or continuing it. @default false */
  readonly fresh?: boolean;
  /**
   * Keep the stack's data on disk (`.eddy/data`) and continue from it: a persisted stack left
   * running is used as it is, the trigger resumes from its checkpoints, and `replay` skips what
   * was produced before. @default false (a fresh in-memory stack)
   */
  readonly persist?: boolean;
  /** Where a persisted run keeps how far its replay got (see {@link ReplayProgressFile}); its `input` names the lines. */
  readonly replay?: { readonly progress: ReplayProgressFile; readonly input: string };
  /** Pace the lines by event time, this many times faster than it passed. @default unpaced */
  readonly speed?: number;
  /** Serve the dashboard on this port while the pipeline runs (0: any free port). @default not served */
  readonly dashboard?: { readonly port: number; readonly apiKey?: string };
  /** After `report`, keep the trigger, the dashboard and the stack running until Ctrl-C. @default false */
  readonly serveUntilInterrupted?: boolean;
  /** Leave the stack running at the end. @default false */
  readonly keep?: boolean;
  /** How long the streams may take to drain (and `settle` to finish) after the last record was produced. */
  readonly timeoutMs: number;
  /** The lines to produce to the raw stream. */
  readonly lines: AsyncIterable<SourceLine>;
  /** The progress label of the produce step, e.g. `④ produce 3,000 rows → eddy-dev-raw` (it is given the raw stream's name). */
  readonly produceLabel: (rawStream: string) => string;
  /** Seed of the random partition keys. */
  readonly seed: number;
  /** Options of the local trigger beyond the model and the directories. @default none */
  readonly trigger?: { readonly scheduleIntervalMs?: number };
  /**
   * Runs once the streams are drained and every window fired, with the trigger still running
   * (its scheduled sweeps too): e.g. to wait for files to commit. Should end by `run.deadline`.
   */
  readonly settle?: (run: PipelineRun, trigger: Trigger) => Promise<void>;
  /** Runs once the trigger has stopped, before the stack does: reads what came out; its answer is the exit code. */
  readonly report: (run: PipelineRun) => Promise<number>;
}

const byName = <T extends { logicalId: string }>(items: readonly T[], id: string): T => {
  const found = items.find((item) => item.logicalId === id);
  if (!found) throw new ConfigError('serverless.yml', `no resource ${id}`);
  return found;
};

const count = (value: number): string => value.toLocaleString('en-US');

/** One line of counters per function, as the demo prints them. */
export const stageLine = (stats: readonly FunctionStats[]): string =>
  stats.map((s) => `${s.function}: in ${count(s.recordsIn)} · done ${count(s.recordsDone)} · invocations ${s.invocations} · errors ${s.errors} · behind ${count(s.behind)}`).join('  |  ');

/** Which functions still hold records, for a timeout message. */
const busy = (stats: readonly FunctionStats[]): string =>
  stats
    .filter((s) => s.behind > 0 || s.recordsIn > s.recordsDone)
    .map((s) => `${s.function} (${count(s.behind)} behind, ${count(s.recordsIn - s.recordsDone)} read but not done)`)
    .join(', ') || 'no function reports records behind (a shard still being polled, or a retry under way)';

/** How often a persisted replay notes how far it got while producing. */
const SAVE_PROGRESS_MS = 2_000;

/** What a run that had nothing left to produce reports. */
const NOTHING_PRODUCED: ProduceSummary = { rowsRead: 0, recordsSent: 0, unparseable: 0, failedLines: [], calls: 0, retries: 0, seconds: 0, rowsPerSecond: 0 };

/** Drops the lines an earlier run produced already, counting on. */
async function* skipLines(lines: AsyncIterable<SourceLine>, skip: number): AsyncGenerator<SourceLine> {
  let seen = 0;
  for await (const line of lines) if (++seen > skip) yield line;
}

/** Starts the stack: a persisted one left running is continued, anything else refused unless `fresh`. */
async function startStack(options: PipelineOptions): Promise<{ model: ServerlessModel; millis: number; continued: boolean }> {
  const running = await runningState();
  const persist = options.persist === true;
  if (running && !(persist && running.persist && options.fresh !== true)) {
    if (options.fresh !== true) throw new ConfigError('stack', `a local stack is already running; stop it with 'eddy stack down' or run '${options.command} --fresh' to replace it`);
    await stackDown();
  }
  const up = await stackUp({ stage: options.stage, persist, fresh: persist && options.fresh === true, ports: options.ports, ...(options.shards === undefined ? {} : { shards: options.shards }) });
  const kept = up.model.streams.filter((stream) => up.resources.existing.some((entry) => entry.startsWith(`stream ${stream.name} `)));
  if (options.shards !== undefined && kept.length > 0) {
    process.stderr.write(`${options.command}: --shards ${options.shards} does not apply to the persisted streams (${kept.map((stream) => stream.name).join(', ')}), which keep their shards; --fresh recreates them\n`);
  }
  return { model: up.model, millis: up.millis, continued: up.alreadyRunning };
}

/**
 * The whole pipeline on the local stack, the steps `eddy demo` and `eddy run` share: start the
 * stack (fresh and in memory, or persisted and continued), load the products, start every
 * stream-triggered function of serverless.yml under the local trigger, serve the dashboard,
 * produce the lines (paced if asked) with a progress bar and one progress line per stage, send
 * the final watermark, wait until every stream is drained and every window fired, `settle`,
 * `report`, optionally keep serving until Ctrl-C, then stop the trigger and the stack (also on
 * failure, and on Ctrl-C, which exits 130), unless `keep`.
 * @returns the exit code `report` answers
 * @throws ConfigError when a stack is running already or a record could not be sent;
 *   RetryableError when the streams did not drain within `timeoutMs`
 */
export async function runPipeline(options: PipelineOptions): Promise<number> {
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const name = options.command.replace(/^eddy /, '');
  if (options.fresh === true) await options.replay?.progress.clear();
  const progress = options.persist === true && options.replay !== undefined ? await options.replay.progress.load(options.replay.input) : undefined;
  const stack = await startStack(options);
  let trigger: Trigger | undefined;
  let dashboard: LocalDashboard | undefined;
  let stopTicker: (() => void) | undefined;
  let produced = progress?.produced ?? 0;
  let inputDone = progress?.done === true;
  // Saves run one after another, so a periodic save never lands after the final one.
  let saving = Promise.resolve();
  const saveProgress = (done: boolean): Promise<void> => {
    const replay = options.replay;
    if (replay === undefined || options.persist !== true) return Promise.resolve();
    const progressNow = { input: replay.input, produced, done };
    saving = saving.catch(() => undefined).then(() => replay.progress.save(progressNow));
    return saving;
  };
  const stopAll = async (): Promise<void> => {
    stopTicker?.();
    await trigger?.stop().catch(() => undefined);
    trigger = undefined;
    await dashboard?.close().catch(() => undefined);
    dashboard = undefined;
    if (options.keep !== true) await stackDown().catch(() => undefined);
  };
  // Ctrl-C: note how far the replay got, finish in-flight invocations, stop what this run started, and exit 130.
  let interrupted = false;
  const interrupt = (): void => {
    interrupted = true;
    log('\nInterrupted: stopping the trigger, the dashboard and the stack…');
    void (async () => {
      await saveProgress(inputDone).catch(() => undefined);
      await stopAll();
      if (options.persist === true) log(`The stack's data is kept in ${join(stateDir(), 'data')}: '${options.command}' continues from it, '${options.command} --fresh' starts over.`);
      process.exit(130);
    })();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  process.once('SIGHUP', interrupt);
  const { model } = stack;
  say(`① stack ${stack.continued ? 'continued' : 'up'} in ${(stack.millis / 1000).toFixed(1)} s: ${model.streams.length} streams (${model.streams.map((stream) => stream.shardCount).join('+')} shards), ${model.tables.length} tables, ${model.buckets.length} bucket (${options.persist === true ? `on disk in ${join(stateDir(), 'data')}` : 'in memory'})`);
  try {
    await useLocalStack();
    const names: PipelineNames = {
      raw: byName(model.streams, 'RawStream').name,
      enriched: byName(model.streams, 'EnrichedStream').name,
      clean: byName(model.streams, 'CleanStream').name,
      products: byName(model.tables, 'ProductsTable').name,
      results: byName(model.tables, 'ResultsTable').name,
      bucket: byName(model.buckets, 'DataBucket').name,
    };

    // Records go to the raw stream while the products load and the trigger starts (every
    // mapping reads from TRIM_HORIZON): they wait there, as they would on AWS.
    const started = produced;
    const bar = createProgress({ unit: 'records', label: options.produceLabel(names.raw) });
    const produce = async (): Promise<ProduceSummary> => {
      if (inputDone) {
        say(`④ nothing to produce: the persisted replay was produced in full (${count(produced)} records) and its final watermark sent`);
        return NOTHING_PRODUCED;
      }
      // A put whose entries partly failed is retried before the next: only the last put's records can be unacknowledged out of order.
      const skip = Math.max(0, started - KINESIS_LIMITS.putRecordsMaxRecords);
      if (started > 0) say(`④ continuing the replay after the ${count(started)} records produced before (the last ${count(started - skip)} sent again: dedupe drops those that arrived)`);
      produced = skip;
      let savedAt = performance.now();
      const summary = await produceRecords(skipLines(options.lines, skip), new KinesisRecordSink(createKinesisClient(), names.raw), {
        partitionKey: createPartitionKeyFn(parsePartitionKeySpec('random', options.seed)),
        ...(options.speed === undefined ? {} : { pacing: { speed: options.speed } }),
        onProgress: (records) => {
          produced += records;
          bar.tick(records);
          // Every few seconds, so a crash (not only Ctrl-C) costs little of the replay.
          if (performance.now() - savedAt >= SAVE_PROGRESS_MS) {
            savedAt = performance.now();
            void saveProgress(false).catch(() => undefined);
          }
        },
      });
      bar.done();
      if (summary.failedLines.length > 0) throw new ConfigError('produce', `${summary.failedLines.length} records could not be sent`);
      // The end of input follows the records through every stage, so every window fires.
      await signalFinalWatermark(createKinesisClient(), names.raw, await listOpenShards(createKinesisClient(), names.raw));
      inputDone = true;
      await saveProgress(true);
      return summary;
    };

    const producing = produce();
    // While the producer's bar is drawn, a line clears it first: the next tick draws it again below.
    const sayOverBar = (line: string): void => {
      bar.clear();
      say(line);
    };
    // Should loading the products or starting the trigger fail, that failure is the story, not the producer's.
    producing.catch(() => undefined);
    const parsed = parseProductsCsv(readFileSync(join(import.meta.dirname, '../../data/products.csv')));
    const loaded = await loadProducts(
      parsed.products.map((row) => row.product),
      new DynamoDBItemWriter(createDynamoDBDocumentClient(), names.products, { keyAttributes: ['product_cd'] }),
    );
    sayOverBar(`② products: ${count(loaded.loaded)} loaded into ${names.products} (${loaded.calls} BatchWriteItem calls, ${parsed.rejected.length} rejected rows)`);

    const logDir = join(stateDir(), 'logs');
    await rm(logDir, { recursive: true, force: true });
    const checkpoints = join(stateDir(), 'checkpoints', options.persist === true ? name : `${name}-${Date.now()}`);
    if (options.persist === true && !stack.continued && options.fresh === true) await rm(checkpoints, { recursive: true, force: true });
    trigger = await startTrigger({ model, stateDir: checkpoints, logDir, log, ...options.trigger });
    sayOverBar(`③ local trigger: ${trigger.functions.join(', ')} reading ${model.functions.flatMap((fn) => fn.streamEvents.map((event) => event.streamName)).join(', ')} (function logs in ${logDir})`);
    if (options.dashboard !== undefined) {
      dashboard = await serveDashboard({ model, stateDir: stateDir(), port: options.dashboard.port, ...(options.dashboard.apiKey === undefined ? {} : { apiKey: options.dashboard.apiKey }) });
      sayOverBar(`   dashboard: ${dashboard.pageUrl}  (API key ${dashboard.apiKey}; the page takes it from the URL)`);
    }
    stopTicker = startStageProgress(trigger, model.functions, logDir, log);

    const summary = await producing;

    const drainStarted = performance.now();
    const deadline = Date.now() + options.timeoutMs;
    try {
      await trigger.waitUntilIdle(options.timeoutMs, { inputEnded: true });
    } catch (error) {
      if (!(error instanceof PipelineError)) throw error;
      throw new RetryableError(`the pipeline did not drain within ${options.timeoutMs / 1000} s of the last record (--timeout): still busy: ${busy(trigger.stats())}. Function logs are in ${logDir}.`, { cause: error });
    }
    stopTicker();
    say(`⑤ streams drained and every window fired ${((performance.now() - drainStarted) / 1000).toFixed(1)} s after the last record was produced\n   ${stageLine(trigger.stats())}`);
    const run: PipelineRun = { model, names, logDir, produced: summary, deadline, say, log, ...(dashboard === undefined ? {} : { dashboard }) };
    await options.settle?.(run, trigger);
    if (options.serveUntilInterrupted !== true) {
      await trigger.stop();
      trigger = undefined;
    }
    const code = await options.report(run);
    if (options.serveUntilInterrupted === true) {
      say(`\nThe pipeline keeps running${dashboard === undefined ? '' : ` and the dashboard is at ${dashboard.pageUrl}`}: Ctrl-C stops everything (the data stays for the next run).`);
      await new Promise<never>(() => undefined);
    }
    return code;
  } catch (error) {
    // Stopping the stack under a running step fails that step: the interrupt's own exit (130) is the outcome.
    if (interrupted) await new Promise<never>(() => undefined);
    throw error;
  } finally {
    // An interrupt owns the shutdown and the exit code (130), even when the run ended meanwhile.
    if (interrupted) await new Promise<never>(() => undefined);
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    process.off('SIGHUP', interrupt);
    await stopAll();
    if (options.keep === true) say(`\nThe stack keeps running (eddy stack status; eddy stack down to stop it).`);
  }
}
