import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createKinesisClient, createDynamoDBDocumentClient, createS3Client } from '../../shared/adapters/clients.js';
import { DynamoDBItemWriter } from '../../shared/adapters/DynamoDBItemWriter.js';
import { KinesisRecordSink } from '../../shared/adapters/KinesisRecordSink.js';
import { ConfigError } from '../../shared/errors.js';
import { DEFAULT_SEED } from '../../shared/generator/options.js';
import { generateTransactions } from '../../shared/generator/transactions.js';
import { createPartitionKeyFn, parsePartitionKeySpec } from '../../shared/producer/partitionKeys.js';
import { produceRecords } from '../../shared/producer/produceRecords.js';
import { transactionLines } from '../../shared/producer/sources.js';
import { loadProducts } from '../../shared/products/loadProducts.js';
import { parseProductsCsv } from '../../shared/products/parseProductsCsv.js';
import { SCENARIO } from '../../shared/constants.js';
import { barChart, countObjects, scanStream } from '../../local/demo/outputs.js';
import { balances, formatStageTotals, readStageTotals } from '../../local/stats.js';
import { DynamoDBResultStore } from '../../shared/adapters/DynamoDBResultStore.js';
import { listOpenShards, signalFinalWatermark } from './watermark.js';
import { withDuplicates } from '../../shared/producer/duplicates.js';
import { runningState, stackDown, stackUp, useLocalStack } from '../../local/stack/manage.js';
import { stateDir } from '../../local/stack/stackState.js';
import { startTrigger, type Trigger } from '../../local/trigger/index.js';
import { numberFlag, stringFlag, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { STACK_PORT_FLAGS, stackPorts } from '../stackFlags.js';

const byName = <T extends { logicalId: string }>(items: readonly T[], id: string): T => {
  const found = items.find((item) => item.logicalId === id);
  if (!found) throw new ConfigError('serverless.yml', `no resource ${id}`);
  return found;
};

/** `eddy demo` (= `npm start`): the whole pipeline that exists today, locally, with progress and a summary. */
export const command: Command = {
  name: 'demo',
  summary: 'Run the whole pipeline locally: start the stack, load the products, run every stream-triggered function under the local trigger, generate and produce the scenario’s transactions, wait until every stream is drained, and summarize what came out.',
  usage: 'demo [--rows N] [--seed S] [--fresh] [--keep]',
  details: `This is what 'npm start' runs. It starts a fresh in-memory stack and stops it at the end
(--keep leaves it running, to look around with 'eddy record', 'eddy stack status' or the SDK).
If a stack is already running it refuses, so it never mixes its data with yours: stop it with
'eddy stack down', or pass --fresh to replace it.`,
  flags: {
    rows: { type: 'string', description: 'Line items to generate', default: String(SCENARIO.rows) },
    duplicates: { type: 'string', description: 'Share of rows the producer sends twice (dedupe drops them)', default: '0.01' },
    seed: { type: 'string', description: 'Generator seed', default: String(DEFAULT_SEED) },
    from: { type: 'string', description: 'First day of generated data, YYYY-MM-DD', default: '2015-01-01' },
    to: { type: 'string', description: 'Last day of generated data, YYYY-MM-DD (inclusive)', default: '2015-06-30' },
    fresh: { type: 'boolean', description: 'Stop a running stack first and start an empty one' },
    keep: { type: 'boolean', description: 'Leave the stack running at the end' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
    timeout: { type: 'string', description: 'Seconds to wait for the streams to drain', default: '600' },
    ...STACK_PORT_FLAGS,
  },
  async run(flags) {
    const rows = numberFlag(flags, 'rows', { min: 1, integer: true }) as number;
    const seed = numberFlag(flags, 'seed', { min: 0, max: 0xffff_ffff, integer: true }) as number;
    const timeoutSeconds = numberFlag(flags, 'timeout', { min: 1, integer: true }) as number;
    const duplicateRate = numberFlag(flags, 'duplicates', { min: 0, max: 1 }) as number;
    const stage = stringFlag(flags, 'stage') ?? 'dev';
    const say = (line: string): boolean => process.stdout.write(`${line}\n`);

    if (await runningState()) {
      if (flags.fresh !== true) throw new ConfigError('stack', "a local stack is already running; stop it with 'eddy stack down' or run 'eddy demo --fresh' to replace it");
      await stackDown();
    }
    const up = await stackUp({ stage, persist: false, ports: stackPorts(flags) });
    let trigger: Trigger | undefined;
    let ticker: NodeJS.Timeout | undefined;
    // Ctrl-C: finish in-flight invocations, stop the stack this run started, and exit 130.
    const interrupt = (): void => {
      process.stderr.write('\nInterrupted: stopping the trigger and the stack…\n');
      void (async () => {
        await trigger?.stop().catch(() => undefined);
        if (flags.keep !== true) await stackDown().catch(() => undefined);
        process.exit(130);
      })();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    say(`① stack up in ${(up.millis / 1000).toFixed(1)} s: ${up.model.streams.length} streams, ${up.model.tables.length} tables, ${up.model.buckets.length} bucket (in memory)`);
    try {
      await useLocalStack();
      const { model } = up;
      const names = {
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
      say(`② products: ${loaded.loaded.toLocaleString('en-US')} loaded into ${names.products} (${loaded.calls} BatchWriteItem calls, ${parsed.rejected.length} rejected rows)`);

      const logDir = join(stateDir(), 'logs');
      await rm(logDir, { recursive: true, force: true });
      trigger = await startTrigger({ model, stateDir: join(stateDir(), 'checkpoints', `demo-${Date.now()}`), logDir, log: (line) => process.stderr.write(`${line}\n`) });
      say(`③ local trigger: ${trigger.functions.join(', ')} reading ${model.functions.flatMap((fn) => fn.streamEvents.map((event) => event.streamName)).join(', ')} (function logs in ${logDir})`);
      const stageLine = (): string =>
        trigger
          ?.stats()
          .map((s) => `${s.function}: in ${s.recordsIn.toLocaleString('en-US')} · done ${s.recordsDone.toLocaleString('en-US')} · invocations ${s.invocations} · errors ${s.errors} · behind ${s.behind.toLocaleString('en-US')}`)
          .join('  |  ') ?? '';
      ticker = setInterval(() => process.stderr.write(`   ${stageLine()}\n`), 5_000);

      const progress = createProgress({ unit: 'records', label: `④ produce ${rows.toLocaleString('en-US')} rows (+${duplicateRate * 100}% resent) → ${names.raw}` });
      const lines = withDuplicates(transactionLines(generateTransactions({ rows, seed, from: stringFlag(flags, 'from') ?? '2015-01-01', to: stringFlag(flags, 'to') ?? '2015-06-30' })), { rate: duplicateRate, seed });
      const produced = await produceRecords(lines, new KinesisRecordSink(createKinesisClient(), names.raw), {
        partitionKey: createPartitionKeyFn(parsePartitionKeySpec('random', seed)),
        onProgress: (records) => progress.tick(records),
      });
      progress.done();
      if (produced.failedLines.length > 0) throw new ConfigError('produce', `${produced.failedLines.length} records could not be sent`);

      const drainStarted = performance.now();
      // The end of input follows the records through every stage, so every window fires.
      await signalFinalWatermark(createKinesisClient(), names.raw, await listOpenShards(createKinesisClient(), names.raw));
      await trigger.waitUntilIdle(timeoutSeconds * 1000);
      clearInterval(ticker);
      say(`⑤ streams drained and every window fired ${((performance.now() - drainStarted) / 1000).toFixed(1)} s after the last record was produced\n   ${stageLine()}`);
      await trigger.stop();
      trigger = undefined;

      const divisions = new Map<string, number>();
      const keys = new Set<string>();
      let clean = 0;
      await scanStream(createKinesisClient(), names.clean, (data) => {
        const row = JSON.parse(Buffer.from(data).toString('utf8')) as { division_name: string; mount: number; pk: string; eddy_control?: string };
        if (row.eddy_control !== undefined) return;
        clean += 1;
        keys.add(row.pk);
      });
      const results = new DynamoDBResultStore(createDynamoDBDocumentClient(), names.results);
      for (const row of await results.read('division_totals')) divisions.set(String(row.division_name), Number(row.sum_of_sales));
      const hours = (await results.read('hourly_sales')).length;
      const errors = await countObjects(createS3Client(), names.bucket, 'data/stream_error_data/', (key) => key.split('/').at(-2) ?? '?');
      const totals = await readStageTotals(logDir);
      say(`\nPer stage (eddy stats):\n${formatStageTotals(totals)}`);
      say(`Pipeline: produced ${produced.recordsSent.toLocaleString('en-US')} records (${rows.toLocaleString('en-US')} rows + ${(produced.recordsSent - rows).toLocaleString('en-US')} resent) → clean stream ${clean.toLocaleString('en-US')} records, ${keys.size.toLocaleString('en-US')} distinct keys (expected ${rows.toLocaleString('en-US')}); error objects ${[...errors.values()].reduce((a, b) => a + b, 0)}.`);
      say(`Produced at ${Math.round(produced.rowsPerSecond).toLocaleString('en-US')} records/s in ${produced.calls} PutRecords calls.`);
      say(`\nSales by division (KRW, division_totals from the results table):\n${barChart([...divisions])}`);
      say(`Windows fired: ${hours.toLocaleString('en-US')} hours of hourly_sales (eddy results hourly_sales).`);
      const balanced = totals.every(balances);
      return balanced && keys.size === rows ? 0 : 1;
    } finally {
      clearInterval(ticker);
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      await trigger?.stop();
      if (flags.keep === true) say(`\nThe stack keeps running (eddy stack status; eddy stack down to stop it).`);
      else await stackDown();
    }
  },
};
