import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteStreamCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerlessModel } from '../../../local/loadServerlessModel.js';
import type { ServerlessModel } from '../../../local/serverlessModel.js';
import { createResources } from '../../../local/stack/resources.js';
import { startTrigger, type FaultSpec } from '../../../local/trigger/index.js';
import { queries, type QueryName } from '../../../queries/index.js';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../../../shared/adapters/clients.js';
import { DynamoDBItemWriter } from '../../../shared/adapters/DynamoDBItemWriter.js';
import { DynamoDBAggregateStateStore } from '../../../shared/adapters/DynamoDBAggregateStateStore.js';
import { DynamoDBResultStore } from '../../../shared/adapters/DynamoDBResultStore.js';
import { eventTimeOf } from '../../../shared/aggregate/eventTime.js';
import { KinesisRecordSink } from '../../../shared/adapters/KinesisRecordSink.js';
import { FINAL_WATERMARK } from '../../../shared/aggregate/control.js';
import { createPartitionKeyFn } from '../../../shared/producer/partitionKeys.js';
import { produceRecords } from '../../../shared/producer/produceRecords.js';
import type { SourceLine } from '../../../shared/producer/sources.js';
import { loadProducts } from '../../../shared/products/loadProducts.js';
import { parseProductsCsv } from '../../../shared/products/parseProductsCsv.js';
import { sleep } from '../../../shared/retry.js';
import { drain, listShards, readStream, reshard } from '../../faults/runSchedule.js';
import { renameModel } from '../../faults/renameModel.js';
import { buildAggregateInput } from '../../helpers/aggregateInput.js';
import { diffRows } from '../../helpers/compareRows.js';
import { referenceLakeQueries, referenceOfLines, type ReferenceRow } from '../../helpers/referenceQueries.js';
import { queryLake } from '../../../shared/lake/queryLake.js';
import { useTestStack } from '../../helpers/stack.js';

// The whole pipeline on the local stack — producer → enrich → dedupe → aggregate under the local
// trigger — against an independent DuckDB computation of every shipped query: with duplicate
// lines, pairs out of order within the watermark, malformed lines, late rows after the drain,
// the clean stream split mid-run, and aggregate invocations that crash after a state write or
// are delivered twice.
useTestStack();
const TUNING = { pollIntervalMs: 50, discoveryIntervalMs: 100, retryBackoffMs: 10 } as const;
const input = buildAggregateInput({ seed: 23, days: 3, stores: 1, duplicateRate: 0.02, lateCount: 5 });
const clients = { kinesis: createKinesisClient(), dynamodb: new DynamoDBClient({}), s3: createS3Client() };
let model: ServerlessModel;
let expected: Record<QueryName, ReferenceRow[]>;

const FAULTS: FaultSpec[] = [
  { function: 'rawWriter', invocation: 2, kind: 'crash', operation: 'PutItem', when: 'after', call: 1 },
  // Every invocation reads its shard's state (a batch of only watermarks stages nothing, so a PutObject fault could miss).
  { function: 'rawWriter', invocation: 5, kind: 'crash', operation: 'GetItem', when: 'after', call: 1 },
  { function: 'rawWriter', invocation: 8, kind: 'deliverTwice' },
  { function: 'aggregate', invocation: 3, kind: 'crash', operation: 'UpdateItem', when: 'after', call: 4 },
  { function: 'aggregate', invocation: 6, kind: 'fail', operation: 'UpdateItem', when: 'before', call: 2 },
  { function: 'aggregate', invocation: 9, kind: 'deliverTwice' },
  { function: 'aggregate', invocation: 12, kind: 'crash', operation: 'PutItem', when: 'after', call: 1 },
];

/** The stages' idle timeout in this test, seconds. */
const IDLE_TIMEOUT_SECONDS = 30;

beforeAll(async () => {
  expected = await referenceOfLines([...input.phase1, ...input.phase2], input.latePks);
  const loaded = await loadServerlessModel({ stage: 'e2e', localShards: 2 });
  model = renameModel(loaded, Math.random().toString(36).slice(2, 8), { keep: ['ProductsTable'] });
  model = {
    ...model,
    streams: model.streams.filter((stream) => ['RawStream', 'EnrichedStream', 'CleanStream', 'AggregatesStream'].includes(stream.logicalId)),
    functions: model.functions
      .filter((fn) => ['enrich', 'dedupe', 'aggregate', 'rawWriter', 'summaryWriter'].includes(fn.key))
      .map((fn) => ({
        ...fn,
        // Small files, so that many roll and commit over the run (the writers' figures are in bench/writer.ts).
        // A path silent for the idle timeout stops holding the watermark back, as in Flink, and its records
        // still on their way become late: on 2 loaded cores an invocation can stall for seconds, and a new
        // shard's first records (after the split) can take longer still, so not 4 (nor 12: CI saw it fail once).
        environment: { ...fn.environment, IDLE_TIMEOUT_SECONDS: String(IDLE_TIMEOUT_SECONDS), ...(fn.key === 'rawWriter' ? { FILE_SIZE_MIB: '0.05' } : {}) },
        streamEvents: fn.streamEvents.map((event) => ({ ...event, batchSize: 100, batchWindowSeconds: 0 })),
      })),
  };
  await createResources(model, clients);
  const products = model.tables.find((table) => table.logicalId === 'ProductsTable');
  if (!products) throw new Error('serverless.yml has no ProductsTable');
  const parsed = parseProductsCsv(readFileSync('data/products.csv'));
  await loadProducts(parsed.products.map(({ product }) => product), new DynamoDBItemWriter(createDynamoDBDocumentClient(), products.name, { keyAttributes: ['product_cd'] }));
}, 120_000);

afterAll(async () => {
  await Promise.all([
    ...model.streams.map((stream) => clients.kinesis.send(new DeleteStreamCommand({ StreamName: stream.name }))),
    ...model.tables.filter((table) => table.logicalId !== 'ProductsTable').map((table) => clients.dynamodb.send(new DeleteTableCommand({ TableName: table.name }))),
  ]);
});

const nameOf = (logicalId: string): string => (model.streams.find((stream) => stream.logicalId === logicalId) ?? model.tables.find((table) => table.logicalId === logicalId))?.name as string;

async function produce(texts: readonly string[], seed: number): Promise<void> {
  async function* lines(): AsyncGenerator<SourceLine> {
    let line = 0;
    for (const text of texts) {
      line += 1;
      let row: Record<string, unknown> | undefined;
      try {
        row = JSON.parse(text) as Record<string, unknown>;
      } catch {
        row = undefined;
      }
      yield row === undefined || typeof row !== 'object' ? { line, text } : { line, row, text };
    }
  }
  const summary = await produceRecords(lines(), new KinesisRecordSink(clients.kinesis, nameOf('RawStream')), { partitionKey: createPartitionKeyFn({ mode: 'random', seed }) });
  expect(summary.failedLines).toEqual([]);
}

/** The hands-on's three ad-hoc Athena queries, unchanged but for the table name. */
const ATHENA_QUERIES = [
  'SELECT tr_date, count(*) AS n, sum(mount) AS total FROM transaction_order GROUP BY tr_date ORDER BY tr_date',
  'SELECT tr_date, tr_time, count(*) AS n, sum(mount) AS total FROM transaction_order GROUP BY tr_date, tr_time ORDER BY tr_date, tr_time',
  'SELECT division_name, maincategory_name, subcategory_name, count(*) AS n, sum(mount) AS total FROM transaction_order GROUP BY 1, 2, 3 ORDER BY total DESC, 1, 2, 3',
];

/** Puts the end-of-input signal on every open shard of a stream. */
async function endOfInput(stream: string): Promise<void> {
  const open = (await listShards(clients.kinesis, stream)).filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined);
  for (const shard of open) {
    await clients.kinesis.send(new PutRecordCommand({ StreamName: stream, Data: Buffer.from(JSON.stringify(FINAL_WATERMARK)), PartitionKey: 'control', ExplicitHashKey: shard.HashKeyRange?.StartingHashKey }));
  }
}

async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix === '' ? {} : { Prefix: prefix }), ...(token ? { ContinuationToken: token } : {}) }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

async function lateDocuments(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'data/stream_error_data/', ...(token ? { ContinuationToken: token } : {}) }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? '').filter((key) => key.includes('/late-data/')));
    token = page.NextContinuationToken;
  } while (token);
  return Promise.all(
    keys.map(async (key) => {
      const body = await (await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
      return (JSON.parse(Buffer.from((JSON.parse(body ?? '{}') as { rawData: string }).rawData, 'base64').toString()) as { pk: string }).pk;
    }),
  );
}

describe('Pipeline: aggregate end to end on the local stack', () => {
  it('equals the DuckDB reference for every shipped query, through duplicates, late rows, a split and crashes', async () => {
    const work = mkdtempSync(join(tmpdir(), 'eddy-e2e-state-'));
    const aggregateOutcomes: string[] = [];
    const writerOutcomes: string[] = [];
    const trigger = await startTrigger({
      model,
      stateDir: join(work, 'state'),
      logDir: join(work, 'logs'),
      faults: FAULTS,
      ...TUNING,
      onBatchResult: (event) => {
        if (event.function === 'aggregate') aggregateOutcomes.push(event.status);
        if (event.function === 'rawWriter') writerOutcomes.push(event.status);
      },
    });
    const clean = nameOf('CleanStream');
    try {
      const half = Math.floor(input.phase1.length / 2);
      await produce(input.phase1.slice(0, half), 1);
      await drain(trigger, TUNING.pollIntervalMs);
      await reshard(clients.kinesis, clean, { kind: 'split', stream: 'raw' });
      await produce(input.phase1.slice(half), 2);
      await drain(trigger, TUNING.pollIntervalMs);
      // The late rows must find their windows fired: wait for the watermark to pass them.
      const state = new DynamoDBAggregateStateStore(createDynamoDBDocumentClient(), nameOf('StateTable'));
      const lateEnd = Math.max(...input.phase2.map((line) => eventTimeOf((JSON.parse(line) as { tr_datetime: string }).tr_datetime) as number)) + 3_600_000;
      for (let waited = 0; ; waited += 250) {
        const pipeline = await state.readPipeline();
        if ([...pipeline.fired.values()].every((fired) => fired >= lateEnd) && pipeline.fired.size === Object.values(queries).filter((query) => query.window.kind !== 'none').length) break;
        if (waited > 20_000 + IDLE_TIMEOUT_SECONDS * 2_000) {
          const shards = [...pipeline.shards].map(([shard, clock]) => `${shard}${clock.finished ? ' (finished)' : ''}: ${[...clock.paths].map(([path, { eventTime, activeAt }]) => `${path.replace('\u001f', '→')}=${new Date(eventTime).toISOString()}@${activeAt}`).join(' ')}`);
          throw new Error(`the watermark did not pass the late rows' windows: fired ${JSON.stringify([...pipeline.fired])}, missing ${JSON.stringify([...pipeline.missing])}, now ${Date.now()}\n${shards.join('\n')}`);
        }
        await sleep(250);
      }
      await produce(input.phase2, 3);
      await drain(trigger, TUNING.pollIntervalMs);
      // The closed parent stops holding the watermark back once idle; then the end-of-input signal flushes every window.
      await sleep(IDLE_TIMEOUT_SECONDS * 1_000 + 500);
      const open = (await listShards(clients.kinesis, clean)).filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined);
      await endOfInput(clean);
      // Once every window has fired, the aggregate stage forwards the end of input to the aggregates stream: the summary files commit.
      await drain(trigger, TUNING.pollIntervalMs);
    } finally {
      await trigger.stop();
    }
    // The injected crash, failure and double delivery happened.
    expect(aggregateOutcomes.filter((status) => status === 'crash').length).toBeGreaterThanOrEqual(1);
    expect(aggregateOutcomes.filter((status) => status === 'error').length).toBeGreaterThanOrEqual(1);
    const results = new DynamoDBResultStore(createDynamoDBDocumentClient(), nameOf('ResultsTable'));
    for (const name of Object.keys(queries) as QueryName[]) expect(diffRows(await results.read(name), expected[name]), name).toEqual([]);
    // Every published row is on the aggregates stream once, crashes mid-firing included.
    const published = (await readStream(clients.kinesis, nameOf('AggregatesStream'))).map((data) => JSON.parse(data.toString('utf8')) as { pk: string; window_start?: string });
    const windowed = published.filter((row) => row.window_start !== undefined).map((row) => row.pk);
    expect(windowed.length).toBeGreaterThan(0);
    expect(windowed.length - new Set(windowed).size).toBe(0);
    const bucket = model.buckets.find((candidate) => candidate.logicalId === 'DataBucket')?.name as string;
    expect(new Set(await lateDocuments(bucket))).toEqual(input.latePks);

    // The raw writer crashed mid-invocation and still wrote each clean record into exactly one committed file.
    expect(writerOutcomes.filter((status) => status === 'crash').length).toBeGreaterThanOrEqual(2);
    const raw = await queryLake(clients.s3, bucket, 'SELECT pk, count(*) AS n FROM transaction_order GROUP BY pk HAVING count(*) > 1');
    expect(raw.rows).toEqual([]);
    const [lake, reference] = await Promise.all([Promise.all(ATHENA_QUERIES.map(async (sql) => (await queryLake(clients.s3, bucket, sql)).rows)), referenceLakeQueries([...input.phase1, ...input.phase2], ATHENA_QUERIES)]);
    for (const [i, rows] of lake.entries()) expect(rows.map((row) => Object.values(row).map((v) => (typeof v === 'bigint' ? Number(v) : v))), ATHENA_QUERIES[i]).toEqual((reference[i] ?? []).map((row) => Object.values(row)));
    // Every hour partition is marked complete, and the summaries hold every fired window row.
    const keys = await listKeys(bucket, '');
    const hours = new Set(keys.filter((key) => key.startsWith('data/stream_data/') && !key.endsWith('_SUCCESS')).map((key) => key.slice(0, key.lastIndexOf('/') + 1)));
    expect([...hours].filter((hour) => !keys.includes(`${hour}_SUCCESS`))).toEqual([]);
    expect(keys.filter((key) => key.startsWith('_eddy/'))).toEqual([]);
    const summary = await queryLake(clients.s3, bucket, "SELECT count(DISTINCT pk) AS n FROM hourly_sales");
    expect(Number(summary.rows[0]?.n)).toBe(new Set(published.filter((row) => (row as { query?: string }).query === 'hourly_sales').map((row) => row.pk)).size);
  }, 240_000);
});
