import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createDynamoDBDocumentClient, createKinesisClient } from '../../shared/adapters/clients.js';
import { DynamoDBItemWriter } from '../../shared/adapters/DynamoDBItemWriter.js';
import { KinesisRecordSink } from '../../shared/adapters/KinesisRecordSink.js';
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

/** How often the counters are printed: a long drain shows it is moving without flooding a CI log. */
const TICK_MS = 5_000;

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
}

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  /** The command, to name in messages (`eddy demo`). */
  readonly command: string;
  readonly stage: string;
  readonly ports: StackPorts;
  /** Stop a running stack first instead of refusing to run. @default false */
  readonly fresh?: boolean;
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

/** A stage line with each function's rate over the last interval, for the periodic progress on stderr. */
function ticker(trigger: Trigger, log: (line: string) => void): NodeJS.Timeout {
  let last = new Map<string, { done: number; at: number }>();
  return setInterval(() => {
    const now = performance.now();
    const stats = trigger.stats();
    const rates = stats.map((s) => {
      const before = last.get(s.function);
      const perSecond = before && now > before.at ? ((s.recordsDone - before.done) * 1000) / (now - before.at) : 0;
      return `${s.function}: in ${count(s.recordsIn)} · done ${count(s.recordsDone)} (${count(Math.round(perSecond))}/s) · invocations ${s.invocations} · errors ${s.errors} · behind ${count(s.behind)}`;
    });
    last = new Map(stats.map((s) => [s.function, { done: s.recordsDone, at: now }]));
    log(`   ${rates.join('  |  ')}`);
  }, TICK_MS);
}

/** Which functions still hold records, for a timeout message. */
const busy = (stats: readonly FunctionStats[]): string =>
  stats
    .filter((s) => s.behind > 0 || s.recordsIn > s.recordsDone)
    .map((s) => `${s.function} (${count(s.behind)} behind, ${count(s.recordsIn - s.recordsDone)} read but not done)`)
    .join(', ') || 'no function reports records behind (a shard still being polled, or a retry under way)';

/**
 * The whole pipeline on a fresh in-memory local stack, the steps `eddy demo` and `eddy run`
 * share: start the stack (refusing to mix with a running one unless `fresh`), load the products,
 * start every stream-triggered function of serverless.yml under the local trigger, produce the
 * lines with a progress bar, send the final watermark, wait until every stream is drained and
 * every window fired, `settle`, stop the trigger, `report`, and stop the stack (also on failure,
 * and on Ctrl-C, which exits 130), unless `keep`.
 * @returns the exit code `report` answers
 * @throws ConfigError when a stack is running already or a record could not be sent;
 *   RetryableError when the streams did not drain within `timeoutMs`
 */
export async function runPipeline(options: PipelineOptions): Promise<number> {
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  if (await runningState()) {
    if (options.fresh !== true) throw new ConfigError('stack', `a local stack is already running; stop it with 'eddy stack down' or run '${options.command} --fresh' to replace it`);
    await stackDown();
  }
  const up = await stackUp({ stage: options.stage, persist: false, ports: options.ports });
  let trigger: Trigger | undefined;
  let tick: NodeJS.Timeout | undefined;
  // Ctrl-C: finish in-flight invocations, stop the stack this run started, and exit 130.
  const interrupt = (): void => {
    log('\nInterrupted: stopping the trigger and the stack…');
    void (async () => {
      await trigger?.stop().catch(() => undefined);
      if (options.keep !== true) await stackDown().catch(() => undefined);
      process.exit(130);
    })();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  say(`① stack up in ${(up.millis / 1000).toFixed(1)} s: ${up.model.streams.length} streams, ${up.model.tables.length} tables, ${up.model.buckets.length} bucket (in memory)`);
  try {
    await useLocalStack();
    const { model } = up;
    const names: PipelineNames = {
      raw: byName(model.streams, 'RawStream').name,
      enriched: byName(model.streams, 'EnrichedStream').name,
      clean: byName(model.streams, 'CleanStream').name,
      products: byName(model.tables, 'ProductsTable').name,
      results: byName(model.tables, 'ResultsTable').name,
      bucket: byName(model.buckets, 'DataBucket').name,
    };

    const parsed = parseProductsCsv(readFileSync(join(import.meta.dirname, '../../data/products.csv')));
    const loaded = await loadProducts(
      parsed.products.map((row) => row.product),
      new DynamoDBItemWriter(createDynamoDBDocumentClient(), names.products, { keyAttributes: ['product_cd'] }),
    );
    say(`② products: ${count(loaded.loaded)} loaded into ${names.products} (${loaded.calls} BatchWriteItem calls, ${parsed.rejected.length} rejected rows)`);

    const logDir = join(stateDir(), 'logs');
    await rm(logDir, { recursive: true, force: true });
    const name = options.command.replace(/^eddy /, '');
    trigger = await startTrigger({ model, stateDir: join(stateDir(), 'checkpoints', `${name}-${Date.now()}`), logDir, log, ...options.trigger });
    say(`③ local trigger: ${trigger.functions.join(', ')} reading ${model.functions.flatMap((fn) => fn.streamEvents.map((event) => event.streamName)).join(', ')} (function logs in ${logDir})`);
    tick = ticker(trigger, log);

    const progress = createProgress({ unit: 'records', label: options.produceLabel(names.raw) });
    const produced = await produceRecords(options.lines, new KinesisRecordSink(createKinesisClient(), names.raw), {
      partitionKey: createPartitionKeyFn(parsePartitionKeySpec('random', options.seed)),
      onProgress: (records) => progress.tick(records),
    });
    progress.done();
    if (produced.failedLines.length > 0) throw new ConfigError('produce', `${produced.failedLines.length} records could not be sent`);

    const drainStarted = performance.now();
    const deadline = Date.now() + options.timeoutMs;
    // The end of input follows the records through every stage, so every window fires.
    await signalFinalWatermark(createKinesisClient(), names.raw, await listOpenShards(createKinesisClient(), names.raw));
    try {
      await trigger.waitUntilIdle(options.timeoutMs);
    } catch (error) {
      if (!(error instanceof PipelineError)) throw error;
      throw new RetryableError(`the pipeline did not drain within ${options.timeoutMs / 1000} s of the last record (--timeout): still busy: ${busy(trigger.stats())}. Function logs are in ${logDir}.`, { cause: error });
    }
    clearInterval(tick);
    say(`⑤ streams drained and every window fired ${((performance.now() - drainStarted) / 1000).toFixed(1)} s after the last record was produced\n   ${stageLine(trigger.stats())}`);
    const run: PipelineRun = { model, names, logDir, produced, deadline, say, log };
    await options.settle?.(run, trigger);
    await trigger.stop();
    trigger = undefined;
    return await options.report(run);
  } finally {
    clearInterval(tick);
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await trigger?.stop();
    if (options.keep === true) say(`\nThe stack keeps running (eddy stack status; eddy stack down to stop it).`);
    else await stackDown();
  }
}
