import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerlessModel } from '../../local/loadServerlessModel.js';
import { readStageTotals } from '../../local/stats.js';
import type { ServerlessModel } from '../../local/serverlessModel.js';
import { createResources } from '../../local/stack/resources.js';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../../shared/adapters/clients.js';
import { DynamoDBItemWriter } from '../../shared/adapters/DynamoDBItemWriter.js';
import { loadProducts } from '../../shared/products/loadProducts.js';
import { parseProductsCsv } from '../../shared/products/parseProductsCsv.js';
import type { Product } from '../../shared/types.js';
import { useTestStack } from '../helpers/stack.js';
import { buildInput } from './input.js';
import { runSchedule, type RunContext } from './runSchedule.js';
import { describeSchedule, planSchedule, PRIMARY_KINDS, type Schedule } from './schedule.js';
import { verify } from './verify.js';

useTestStack();

// `npm test` runs FAULT_SCHEDULES (10) seeds, `npm run test:faults` 200; FAULT_SEEDS=3,17 runs exactly those.
const seeds = process.env.FAULT_SEEDS
  ? process.env.FAULT_SEEDS.split(',').map((seed) => Number(seed.trim()))
  : Array.from({ length: Number(process.env.FAULT_SCHEDULES ?? 10) }, (_, index) => index + 1);
const concurrency = Math.max(1, Number(process.env.FAULT_CONCURRENCY ?? 3));

/** Runs at most `concurrency` schedules at once (each starts two functions' worker threads). */
const slots = { free: concurrency, waiting: [] as (() => void)[] };
async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (slots.free === 0) await new Promise<void>((resolve) => slots.waiting.push(resolve));
  else slots.free--;
  try {
    return await work();
  } finally {
    const next = slots.waiting.shift();
    if (next) next();
    else slots.free++;
  }
}

/** What dedupe's per-invocation reports (`batch done` logs, as `eddy stats` reads them) say it found already on the clean stream. */
async function readDedupeReports(logDir: string): Promise<{ alreadyPublished: number; invocations: number }> {
  const found: number[] = [];
  for (const file of (await readdir(logDir).catch(() => [] as string[])).filter((name) => name.endsWith('.log'))) {
    for (const line of (await readFile(join(logDir, file), 'utf8')).split('\n')) {
      if (!line.includes('"batch done"')) continue;
      const report = JSON.parse(line) as { stage?: string; alreadyPublished?: number };
      if (report.stage === 'dedupe' && (report.alreadyPublished ?? 0) > 0) found.push(report.alreadyPublished ?? 0);
    }
  }
  const totals = (await readStageTotals(logDir)).find((t) => t.stage === 'dedupe');
  return { alreadyPublished: totals?.alreadyPublished ?? 0, invocations: found.length };
}

interface Outcome {
  readonly schedule: Schedule;
  readonly millis: number;
  readonly passed: boolean;
  readonly fired: number;
  readonly scheduledFailCrash: number;
  readonly crashAfterPutRecordsFired: boolean;
  readonly repeatedKeys: number;
  readonly extraCopies: number;
  /** Records of redelivered dedupe batches found already on the clean stream and not put again. */
  readonly alreadyPublished: number;
  /** Dedupe invocations that found some. */
  readonly publishedInvocations: number;
  readonly earlyIdle: number;
  readonly resharded?: string;
  readonly outcomes: Readonly<Record<string, number>>;
}
const outcomes: Outcome[] = [];

let context: RunContext;
let products: Map<string, Product>;

beforeAll(async () => {
  const model: ServerlessModel = await loadServerlessModel({ stage: 'faults', localShards: 2 });
  const clients = { kinesis: createKinesisClient(), dynamodb: new DynamoDBClient({}), s3: createS3Client() };
  context = { model, clients, kinesis: clients.kinesis, s3: clients.s3 };
  // One products table for every schedule (renameModel keeps its name): the real 5,446 products.
  const parsed = parseProductsCsv(readFileSync(join(import.meta.dirname, '../../data/products.csv')));
  products = new Map(parsed.products.map(({ product }) => [product.product_cd, product]));
  const productsTable = model.tables.find((table) => table.logicalId === 'ProductsTable');
  if (!productsTable) throw new Error('serverless.yml has no ProductsTable');
  await createResources({ ...model, streams: [], buckets: [], tables: [productsTable] }, clients);
  const loaded = await loadProducts([...products.values()], new DynamoDBItemWriter(createDynamoDBDocumentClient(), productsTable.name, { keyAttributes: ['product_cd'] }));
  if (loaded.failed.length > 0) throw new Error(`${loaded.failed.length} products could not be loaded`);
}, 120_000);

afterAll(() => {
  if (outcomes.length === 0) return;
  const byKind = new Map<string, number>();
  for (const { schedule } of outcomes) {
    byKind.set(`primary:${schedule.primary}`, (byKind.get(`primary:${schedule.primary}`) ?? 0) + 1);
    for (const fault of schedule.faults) byKind.set(fault.kind, (byKind.get(fault.kind) ?? 0) + 1);
    if (schedule.reshard) byKind.set(`reshard:${schedule.reshard.kind}:${schedule.reshard.stream}`, (byKind.get(`reshard:${schedule.reshard.kind}:${schedule.reshard.stream}`) ?? 0) + 1);
  }
  const sum = (pick: (outcome: Outcome) => number): number => outcomes.reduce((total, outcome) => total + pick(outcome), 0);
  const millis = outcomes.map((outcome) => outcome.millis).sort((a, b) => a - b);
  console.log(
    [
      `fault schedules: ${outcomes.length} run, ${outcomes.filter((outcome) => outcome.passed).length} passed`,
      `  faults scheduled by kind: ${[...byKind].sort().map(([kind, count]) => `${kind}=${count}`).join(' ')}`,
      `  fail/crash faults that fired: ${sum((o) => o.fired)}/${sum((o) => o.scheduledFailCrash)}; crashes right after a successful PutRecords: ${outcomes.filter((o) => o.crashAfterPutRecordsFired).length} schedules`,
      `  reshards done: ${outcomes.filter((o) => o.resharded).length}`,
      `  clean stream holds each valid key exactly once in ${outcomes.filter((o) => o.repeatedKeys === 0).length}/${outcomes.length} schedules; keys more than once: ${sum((o) => o.repeatedKeys)} (${sum((o) => o.extraCopies)} extra records)`,
      `  redelivered dedupe records found already on the clean stream, not put again: ${sum((o) => o.alreadyPublished)} in ${sum((o) => o.publishedInvocations)} invocations of ${outcomes.filter((o) => o.alreadyPublished > 0).length} schedules`,
      `  invocation outcomes: ${[...outcomes.reduce((all, o) => { for (const [label, count] of Object.entries(o.outcomes)) all.set(label, (all.get(label) ?? 0) + count); return all; }, new Map<string, number>())].sort().map(([label, count]) => `${label}=${count}`).join(' ')}`,
      `  drains where waitUntilIdle returned before the pipeline had settled: ${sum((o) => o.earlyIdle)} (seeds ${outcomes.filter((o) => o.earlyIdle > 0).map((o) => o.schedule.seed).join(', ') || 'none'})`,
      `  schedule time: median ${((millis[Math.floor(millis.length / 2)] ?? 0) / 1000).toFixed(1)} s, max ${((millis.at(-1) ?? 0) / 1000).toFixed(1)} s`,
    ].join('\n'),
  );
});

describe('Faults: exactly-once effects end to end', () => {
  it('draws schedules that cover every fault kind', () => {
    const kinds = new Set(Array.from({ length: PRIMARY_KINDS.length }, (_, index) => planSchedule(index + 1).primary));
    expect([...kinds].sort()).toEqual([...PRIMARY_KINDS].sort());
  });

  it.concurrent.each(seeds)(
    'seed %i: the clean stream holds each valid key once and the error output each bad record once',
    async (seed) => {
      const schedule = planSchedule(seed);
      const input = await buildInput(seed, schedule);
      const observed = await withSlot(() => runSchedule(context, schedule, input));
      const verdict = verify(schedule, input, observed, products);
      const dedupeReports = await readDedupeReports(observed.logDir);
      // The primary fail or crash is placed where it surely fires; if it did not, the schedule tested less than it claims.
      const primaryFired = ['crash', 'crashAfterPutRecords', 'fail'].includes(schedule.primary) ? observed.fired[0]?.fired === true : undefined;
      const problems = primaryFired === false ? [...verdict.problems, `the primary fault ${JSON.stringify(schedule.faults[0])} did not fire`] : verdict.problems;
      const failCrash = observed.fired.filter((entry) => entry.fired !== 'n/a');
      outcomes.push({
        schedule,
        millis: observed.millis,
        passed: problems.length === 0,
        fired: failCrash.filter((entry) => entry.fired === true).length,
        scheduledFailCrash: failCrash.length,
        crashAfterPutRecordsFired: observed.fired.some(({ fault, fired }) => fired === true && fault.kind === 'crash' && fault.operation === 'PutRecords' && fault.when === 'after'),
        repeatedKeys: verdict.repeatedKeys,
        extraCopies: verdict.extraCopies,
        alreadyPublished: dedupeReports.alreadyPublished,
        publishedInvocations: dedupeReports.invocations,
        earlyIdle: observed.earlyIdle,
        ...(observed.resharded ? { resharded: observed.resharded } : {}),
        outcomes: observed.outcomes,
      });
      const report = [
        `seed ${seed}: ${problems.length} problems`,
        ...problems.map((problem) => `  - ${problem}`),
        `schedule: ${describeSchedule(schedule)}`,
        `fired: ${JSON.stringify(observed.fired.map(({ fault, fired }) => `${fault.kind}@${fault.function ?? '*'}#${fault.invocation ?? '*'}=${String(fired)}`))}${observed.resharded ? `; ${observed.resharded}` : ''}`,
        `invocations: ${JSON.stringify(observed.outcomes)}; input: ${input.valid.size} valid keys, ${input.resends} resends, ${input.errors.size} bad records; clean stream: ${observed.clean.length} records`,
        `function logs: ${observed.logDir}`,
        `reproduce: FAULT_SEEDS=${seed} npx vitest run test/faults`,
      ].join('\n');
      expect(problems, report).toEqual([]);
    },
    300_000,
  );
});
