// Producer throughput against an in-memory local stack: a bare loop of sequential PutRecords
// calls of 500 pre-built records, then the producer core (KinesisRecordSink + event_time + pk +
// partition keys), then products load. `npx tsx bench/producer.ts [records]`.
import { readFileSync } from 'node:fs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { freePort } from '../local/stack/emulators.js';
import { stackEnv, startStack } from '../local/stack/stack.js';
import { AggregatingRecordSink } from '../shared/adapters/AggregatingRecordSink.js';
import { createDynamoDBDocumentClient, createKinesisClient } from '../shared/adapters/clients.js';
import { DynamoDBItemWriter } from '../shared/adapters/DynamoDBItemWriter.js';
import { KinesisRecordSink } from '../shared/adapters/KinesisRecordSink.js';
import { KINESIS_LIMITS } from '../shared/constants.js';
import { loadProducts } from '../shared/products/loadProducts.js';
import { parseProductsCsv } from '../shared/products/parseProductsCsv.js';
import { createPartitionKeyFn, parsePartitionKeySpec } from '../shared/producer/partitionKeys.js';
import { produceRecords } from '../shared/producer/produceRecords.js';
import { parseCsvLines } from '../shared/producer/sources.js';
import { sleep } from '../shared/retry.js';
import type { Product } from '../shared/types.js';

const RECORDS = Number(process.argv[2] ?? 20_000);
const SHARDS = 4;
const region = 'ap-northeast-2';
const stack = await startStack({ persist: false, dataDir: '', ports: { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() }, region });
Object.assign(process.env, stackEnv(stack.endpoints, region));
const kinesis = createKinesisClient();

async function createStream(name: string): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: SHARDS }));
  while ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') await sleep(20);
  return name;
}

const HEADER = 'tr_date,tr_time,store_cd,store_name,pos_num,receipt_num,product_cd,qty,mount,tr_datetime';
const lines = [HEADER, ...Array.from({ length: RECORDS }, (_, index) => `2015-01-02,20,12345,등촌점,${1 + (index % 3)},${index % 10_000},8802609028247,1,1000.0,2015-01-02 20:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}`)];
const rate = (records: number, ms: number): number => Math.round((records / ms) * 1000);

try {
  // (a) Baseline: pre-built JSON records, sequential PutRecords of 500, no retries, no stamping.
  const keys = createPartitionKeyFn(parsePartitionKeySpec('random'));
  const prebuilt: PutRecordsRequestEntry[] = [];
  for await (const { row } of parseCsvLines(lines)) prebuilt.push({ Data: Buffer.from(JSON.stringify(row)), PartitionKey: keys(undefined) });
  const baseline = async (name: string): Promise<number> => {
    const stream = await createStream(name);
    const t0 = performance.now();
    for (let start = 0; start < prebuilt.length; start += KINESIS_LIMITS.putRecordsMaxRecords) {
      await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: prebuilt.slice(start, start + KINESIS_LIMITS.putRecordsMaxRecords) }));
    }
    return performance.now() - t0;
  };

  // (b) The producer core: parse, stamp event_time and pk, partition keys, KinesisRecordSink.
  const run = async (name: string, concurrency: number, aggregate = false): Promise<{ ms: number; calls: number; sent: number }> => {
    const stream = await createStream(name);
    const kinesisSink = new KinesisRecordSink(kinesis, stream, { concurrency });
    const sink = aggregate ? new AggregatingRecordSink(kinesisSink) : kinesisSink;
    const t0 = performance.now();
    const summary = await produceRecords(parseCsvLines(lines), sink, { partitionKey: createPartitionKeyFn(parsePartitionKeySpec('random')), inFlight: concurrency });
    return { ms: performance.now() - t0, calls: summary.calls, sent: summary.recordsSent };
  };
  // Two rounds, alternating, best of each: the emulator and the JIT warm up during the first.
  const best = <T extends { ms: number }>(a: T, b: T): T => (a.ms <= b.ms ? a : b);
  const rounds = [];
  for (const round of [1, 2]) {
    rounds.push({
      baselineMs: await baseline(`bench-baseline-${round}`),
      sequential: await run(`bench-producer-1-${round}`, 1),
      concurrent: await run(`bench-producer-4-${round}`, 4),
      aggregated: await run(`bench-producer-agg-${round}`, 1, true),
    });
  }
  const [r1, r2] = rounds as [(typeof rounds)[number], (typeof rounds)[number]];
  const baselineMs = Math.min(r1.baselineMs, r2.baselineMs);
  const sequential = best(r1.sequential, r2.sequential);
  const concurrent = best(r1.concurrent, r2.concurrent);
  const aggregated = best(r1.aggregated, r2.aggregated);

  // (c) products load: 5,446 items, 25 per BatchWriteItem.
  const table = 'bench-products';
  await new DynamoDBClient({}).send(new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'product_cd', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'product_cd', AttributeType: 'S' }] }));
  const parsed = parseProductsCsv(readFileSync('data/products.csv'));
  const started = performance.now();
  const loaded = await loadProducts(parsed.products.map(({ product }) => product), new DynamoDBItemWriter<Product>(createDynamoDBDocumentClient(), table, { keyAttributes: ['product_cd'] }));
  const loadMs = performance.now() - started;

  const line = (label: string, records: number, ms: number, calls: number): string => `${label.padEnd(52)} ${String(records).padStart(6)} records ${(ms / 1000).toFixed(2).padStart(6)} s ${String(rate(records, ms)).padStart(7)} rec/s ${String(calls).padStart(4)} calls`;
  process.stdout.write(
    [
      `Kinesis emulator (kinesalite), ${SHARDS} shards, best of 2 rounds, ${RECORDS.toLocaleString('en-US')} records of ~${prebuilt[0]?.Data?.length ?? 0} bytes`,
      line('(a) bare PutRecords loop, 500/call, sequential', prebuilt.length, baselineMs, Math.ceil(prebuilt.length / 500)),
      line('(b) producer core, 1 call in flight (CLI default)', sequential.sent, sequential.ms, sequential.calls),
      line('(b) producer core, 4 calls in flight', concurrent.sent, concurrent.ms, concurrent.calls),
      line('(b) producer core, KPL-aggregated (--aggregate)', aggregated.sent, aggregated.ms, aggregated.calls),
      `ratio (b, 1 in flight) / (a): ${(baselineMs / sequential.ms).toFixed(2)}`,
      `ratio (b, 4 in flight) / (a): ${(baselineMs / concurrent.ms).toFixed(2)}`,
      `products load (DynamoDB Local): ${loaded.loaded} items in ${(loadMs / 1000).toFixed(2)} s, ${loaded.calls} BatchWriteItem calls, ${loaded.retries} retries, ${rate(loaded.loaded, loadMs)} items/s`,
    ].join('\n') + '\n',
  );
} finally {
  await stack.stop();
}
