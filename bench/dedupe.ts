// Node 20 is the local runtime; silence the SDK's notice about it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Dedupe stage: throughput on one core with in-memory ports; DynamoDB requests per 1,000 records
// on DynamoDB Local; and side by side with Powertools idempotency (record at a time) on the same
// DynamoDB Local and the same records. Run: npx tsx bench/dedupe.ts [--records N]
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { DynamoDBSeenKeyStore } from '../shared/adapters/DynamoDBSeenKeyStore.js';
import { generateTransactions } from '../shared/generator/transactions.js';
import { loadProducts } from '../shared/generator/products.js';
import { createDedupeOperator } from '../shared/operators/dedupe.js';
import { createEnrichOperator } from '../shared/operators/enrich.js';
import type { RecordSink } from '../shared/ports/RecordSink.js';
import { validateEnrichedTransaction } from '../shared/schema/enrichedTransaction.js';
import { createKinesisStage } from '../shared/stage/createKinesisStage.js';
import { decodeBatch, type Decoded, type RecordOrigin } from '../shared/stage/decode.js';
import type { EnrichedTransaction, Product, RawTransaction } from '../shared/types.js';
import { freePort } from '../local/stack/emulators.js';
import { LOCAL_CREDENTIALS, startStack } from '../local/stack/stack.js';
import { InMemoryErrorSink, InMemoryLookup, InMemoryPublishedKeys, InMemorySeenKeyStore } from '../test/helpers/fakes.js';
import { kinesisEvent, kinesisRecordFactory } from '../test/helpers/kinesisEvents.js';
import { numberOption } from './lib/options.js';

const total = numberOption('records', 200_000);
const dynamoRecords = 20_000;
const sideBySideRecords = 5_000;
const batchSize = 500;
const horizonSeconds = 86_400;
const region = 'ap-northeast-2';
const maxRecordBytes = 1_048_576;
// Arrival now, so claims (arrival + horizon) are live against the real clock both sides use.
const arrival = Math.floor(Date.now() / 1000);
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The enriched stream dedupe reads: generated line items through the real enrich operator. */
async function enrichedRows(count: number): Promise<EnrichedTransaction[]> {
  const products = new Map(loadProducts().map((p): [string, Product] => [p.product_cd, p]));
  const enrich = createEnrichOperator({ products: new InMemoryLookup(products) });
  const origin = (i: number): RecordOrigin => ({ stream: 'eddy-raw', shard: 'shardId-000000000000', seq: String(1_000_000 + i), partitionKey: 'p', arrivalTimestamp: arrival * 1000, bytes: new Uint8Array() });
  const raw: Decoded<RawTransaction>[] = [...generateTransactions({ rows: count })].map((row, i) => ({ value: { ...row, event_time: '2026-11-21T00:00:00.000000' }, origin: origin(i) }));
  const { outputs } = await enrich(raw);
  return outputs.map(({ record }) => record);
}

/**
 * Puts a resend of `rate` of the rows later in the stream: a copy of an earlier row (same pk) at
 * a later position, 1 to 2,000 records behind it, so some land in the same batch and most in a
 * later one. Seeded, so every run and both contenders see the same stream.
 */
function withResends(rows: readonly EnrichedTransaction[], rate: number): EnrichedTransaction[] {
  let seed = 42;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const stream = [...rows];
  const resends = Math.round(rows.length * rate);
  for (let k = 0; k < resends; k++) {
    const from = Math.floor(random() * (stream.length - 1));
    const to = Math.min(stream.length, from + 1 + Math.floor(random() * 2000));
    stream.splice(to, 0, stream[from] as EnrichedTransaction);
  }
  return stream;
}

/** Lambda events of `batchSize` records on one shard, sequence numbers running on across batches. */
function toEvents(rows: readonly EnrichedTransaction[]): KinesisStreamEvent[] {
  const first = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;
  const events: KinesisStreamEvent[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    events.push(kinesisEvent(kinesisRecordFactory(rows.slice(i, i + batchSize), { firstSequence: first + BigInt(i), arrival, streamArn: `arn:aws:kinesis:${region}:000000000000:stream/eddy-enriched` })));
  }
  return events;
}

const decode = (events: readonly KinesisStreamEvent[]): Decoded<EnrichedTransaction>[][] => events.map((event) => decodeBatch(event.Records, 'dedupe', validateEnrichedTransaction, maxRecordBytes).decoded);

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

type Counted = { client: DynamoDBClient; counts: Map<string, number>; items: Map<string, number>; reset: () => void };

/**
 * A DynamoDB client on DynamoDB Local whose HTTP requests (SDK retries included) are counted by
 * command, and the items each call carries (keys of a BatchGetItem, puts of a transaction), for
 * the capacity AWS would bill: DynamoDB Local's ConsumedCapacity is no guide (it reports 2 units
 * for a TransactWriteItems of 100 puts).
 */
function countedClient(endpoint: string): Counted {
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }) }) });
  const counts = new Map<string, number>();
  const items = new Map<string, number>();
  const add = (map: Map<string, number>, name: string, n: number): void => void map.set(name, (map.get(name) ?? 0) + n);
  // finalizeRequest at low priority runs inside the retry middleware: once per HTTP attempt.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      add(counts, context.commandName ?? '?', 1);
      const input = args.input as { TransactItems?: unknown[]; Statements?: unknown[]; RequestItems?: Record<string, { Keys?: unknown[]; ConsistentRead?: boolean }> };
      const carried = input.TransactItems?.length ?? input.Statements?.length ?? (input.RequestItems ? Object.values(input.RequestItems).reduce((n, table) => n + (table.Keys?.length ?? 0), 0) : 1);
      const consistent = input.RequestItems !== undefined && Object.values(input.RequestItems).some((table) => table.ConsistentRead === true);
      add(items, `${context.commandName ?? '?'}${consistent ? ' consistent' : ''}`, carried);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchCountRequests' },
  );
  return { client, counts, items, reset: () => (counts.clear(), items.clear()) };
}

/**
 * Capacity units AWS bills for the items counted, all under 1 KB: a transactional put 2 WCU, a
 * put, update or PartiQL insert 1 (a failed conditional one too), an eventually consistent read
 * of a key 0.5 RCU, a strongly consistent one 1. @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/provisioned-capacity-mode.html
 */
const UNITS: Readonly<Record<string, { write: number; read: number }>> = {
  TransactWriteItemsCommand: { write: 2, read: 0 },
  BatchExecuteStatementCommand: { write: 1, read: 0 },
  PutItemCommand: { write: 1, read: 0 },
  UpdateItemCommand: { write: 1, read: 0 },
  DeleteItemCommand: { write: 1, read: 0 },
  BatchGetItemCommand: { write: 0, read: 0.5 },
  'BatchGetItemCommand consistent': { write: 0, read: 1 },
  GetItemCommand: { write: 0, read: 1 },
};
const units = (items: ReadonlyMap<string, number>, kind: 'write' | 'read'): number => [...items].reduce((n, [name, c]) => n + c * (UNITS[name]?.[kind] ?? 0), 0);

const READS: Readonly<Record<string, true>> = { GetItemCommand: true, BatchGetItemCommand: true, QueryCommand: true, ScanCommand: true };
const WRITES: Readonly<Record<string, true>> = { PutItemCommand: true, UpdateItemCommand: true, DeleteItemCommand: true, BatchWriteItemCommand: true, TransactWriteItemsCommand: true, BatchExecuteStatementCommand: true };
const sum = (counts: ReadonlyMap<string, number>, kind: Readonly<Record<string, true>>): number => [...counts].reduce((n, [name, c]) => n + (kind[name] ? c : 0), 0);
const byCommand = (counts: ReadonlyMap<string, number>): string => [...counts].map(([name, c]) => `${name.replace(/Command$/, '')} ${fmt(c)}`).join(', ');

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'eddy-dev-dedupe',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:eddy-dev-dedupe`,
  memoryLimitInMB: '1024',
  awsRequestId: 'bench',
  logGroupName: '/aws/lambda/eddy-dev-dedupe',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

async function createTable(client: DynamoDBClient, name: string, key: string): Promise<void> {
  await client.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: key, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }] }));
}

// ---- 1. in-memory throughput ---------------------------------------------------------------
const rows = await enrichedRows(Math.max(total, dynamoRecords));
const memoryRows = rows.slice(0, total);
const memoryEvents = toEvents(memoryRows);
const memoryBatches = decode(memoryEvents);

/** The least a stage does per record: base64 → JSON → JSON. */
async function bareLoop(): Promise<void> {
  for (const event of memoryEvents) {
    const out: string[] = [];
    for (const record of event.Records) out.push(JSON.stringify(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))));
  }
}
/** Counts what it is given and keeps nothing, as a Lambda container holds one batch at a time. */
const sink: RecordSink & { records: number } = {
  records: 0,
  async put(records) {
    this.records += records.length;
    return { failed: [], calls: Math.ceil(records.length / 500) };
  },
};
async function dedupeStage(): Promise<void> {
  const stage = createKinesisStage({
    stage: 'dedupe',
    parse: validateEnrichedTransaction,
    maxRecordBytes,
    operator: createDedupeOperator<EnrichedTransaction>({ seen: new InMemorySeenKeyStore(), published: new InMemoryPublishedKeys(), outputStream: 'clean', horizonSeconds, clock: Date.now }),
    sink,
    errors: new InMemoryErrorSink(),
    partitionKeyOf: (record) => record.pk,
  });
  for (const event of memoryEvents) await stage(event);
}
/** The simplest dedupe there is: a Set of the keys seen, over the decoded batches. */
async function setDedupe(): Promise<void> {
  const seen = new Set<string>();
  for (const batch of memoryBatches) {
    const out: Decoded<EnrichedTransaction>[] = [];
    for (const record of batch) if (!seen.has(record.value.pk)) (seen.add(record.value.pk), out.push(record));
  }
}
async function dedupeOperator(): Promise<void> {
  const dedupe = createDedupeOperator<EnrichedTransaction>({ seen: new InMemorySeenKeyStore(), published: new InMemoryPublishedKeys(), outputStream: 'clean', horizonSeconds, clock: Date.now });
  for (const batch of memoryBatches) await dedupe(batch);
}
for (const run of [bareLoop, dedupeStage, setDedupe, dedupeOperator]) await run();
/** Best of three: the machine has two cores and other work on them. */
async function best(run: () => Promise<void>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) fastest = Math.min(fastest, await seconds(run));
  return fastest;
}
const bare = await best(bareLoop);
const stageTime = await best(dedupeStage);
const setTime = await best(setDedupe);
const operatorTime = await best(dedupeOperator);
console.log(`1. in-memory ports, one core: ${fmt(total)} records in batches of ${batchSize}, best of 3`);
console.log(`   bare decode loop:        ${fmt(total / bare).padStart(11)} records/s (base64 → JSON → JSON)`);
console.log(`   dedupe stage:            ${fmt(total / stageTime).padStart(11)} records/s (decode + schema + dedupe + serialize, InMemorySeenKeyStore)`);
console.log(`   ratio stage/bare:        ${(bare / stageTime).toFixed(2)}`);
console.log(`   Set-based dedupe:        ${fmt(total / setTime).padStart(11)} records/s (decoded batches)`);
console.log(`   dedupe operator:         ${fmt(total / operatorTime).padStart(11)} records/s (decoded batches, InMemorySeenKeyStore)`);
console.log(`   ratio operator/Set:      ${(setTime / operatorTime).toFixed(2)}`);

// ---- 2 and 3. DynamoDB Local -----------------------------------------------------------------
const stack = await startStack({ persist: false, dataDir: '', region, ports: { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() } });
try {
  const ours = countedClient(stack.endpoints.dynamodb);
  const document = DynamoDBDocumentClient.from(ours.client, { marshallOptions: { removeUndefinedValues: true } });
  let tables = 0;

  /** Our operator over `batches` on a fresh seen-key table; returns what it forwarded and its requests. */
  async function runOurs(batches: readonly Decoded<EnrichedTransaction>[][]): Promise<{ forwarded: number; duplicates: number; seconds: number; store: DynamoDBSeenKeyStore; counts: Map<string, number>; items: Map<string, number> }> {
    const table = `seen-${(tables += 1)}`;
    await createTable(ours.client, table, 'pk');
    const store = new DynamoDBSeenKeyStore(document, table);
    const dedupe = createDedupeOperator<EnrichedTransaction>({ seen: store, published: new InMemoryPublishedKeys(), outputStream: 'clean', horizonSeconds, clock: Date.now });
    let forwarded = 0;
    let duplicates = 0;
    ours.reset();
    const time = await seconds(async () => {
      for (const batch of batches) {
        const out = await dedupe(batch);
        forwarded += out.outputs.length;
        duplicates += out.duplicates ?? 0;
      }
    });
    return { forwarded, duplicates, seconds: time, store, counts: new Map(ours.counts), items: new Map(ours.items) };
  }

  const streams = { '0 %': rows.slice(0, dynamoRecords), '1 %': withResends(rows.slice(0, dynamoRecords), 0.01) };
  console.log(`2. DynamoDBSeenKeyStore on DynamoDB Local, Lambda batches of ${batchSize}`);
  for (const [label, stream] of Object.entries(streams)) {
    const run = await runOurs(decode(toEvents(stream)));
    const reads = sum(run.counts, READS);
    const writes = sum(run.counts, WRITES);
    const per = (n: number): string => ((n * 1000) / stream.length).toFixed(2);
    console.log(`   ${label} duplicates: ${fmt(stream.length)} records → ${fmt(run.forwarded)} forwarded + ${fmt(run.duplicates)} duplicates`);
    console.log(`     per 1,000 records: ${per(reads)} read requests, ${per(writes)} write requests   (${byCommand(run.counts)}; store counted reads ${run.store.requests.reads}, writes ${run.store.requests.writes})`);
  }

  // Same records, same DynamoDB Local: our batch against Powertools one record at a time.
  const sideStream = withResends(rows.slice(0, sideBySideRecords), 0.01);
  const sideBatches = decode(toEvents(sideStream));
  const oursSide = await runOurs(sideBatches);

  const theirs = countedClient(stack.endpoints.dynamodb);
  await createTable(theirs.client, 'idempotency', 'id');
  let executed = 0;
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'pk', expiresAfterSeconds: horizonSeconds });
  // As in a Lambda handler: the context bounds an in-progress claim (and silences a warning a record).
  config.registerLambdaContext(lambdaContext);
  const forward = makeIdempotent(
    async (record: EnrichedTransaction): Promise<void> => {
      executed += record.pk.length > 0 ? 1 : 0;
    },
    {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: theirs.client }),
      config,
    },
  );
  // Warm DynamoDB Local's PutItem/UpdateItem paths and this client first, as part 2 warmed ours.
  await createTable(theirs.client, 'idempotency-warmup', 'id');
  const warmup = makeIdempotent(async (_row: EnrichedTransaction): Promise<void> => undefined, { persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'idempotency-warmup', awsSdkV3Client: theirs.client }), config });
  for (const row of rows.slice(dynamoRecords - 500, dynamoRecords)) await warmup(row);
  theirs.reset();
  const theirSeconds = await seconds(async () => {
    for (const batch of sideBatches) for (const record of batch) await forward(record.value);
  });

  const n = sideStream.length;
  const unique = new Set(sideStream.map((row) => row.pk)).size;
  const line = (name: string, time: number, counts: ReadonlyMap<string, number>, items: ReadonlyMap<string, number>, forwarded: number): void => {
    console.log(`   ${name} ${fmt(n / time).padStart(7)} records/s   write requests/record ${(sum(counts, WRITES) / n).toFixed(4)}   read requests/record ${(sum(counts, READS) / n).toFixed(4)}   forwarded ${fmt(forwarded)}`);
    console.log(`       requests: ${byCommand(counts)};  billed capacity/record (AWS rules): ${(units(items, 'write') / n).toFixed(2)} WCU, ${(units(items, 'read') / n).toFixed(2)} RCU`);
  };
  console.log(`3. side by side on DynamoDB Local: the same ${fmt(n)} records (1 % resends, ${fmt(unique)} distinct pk), batches of ${batchSize}`);
  line('(a) ours, batch:                 ', oursSide.seconds, oursSide.counts, oursSide.items, oursSide.forwarded);
  line('(b) Powertools, record at a time:', theirSeconds, theirs.counts, theirs.items, executed);
  const speed = theirSeconds / oursSide.seconds;
  const oursWrites = sum(oursSide.counts, WRITES) / n;
  const theirWrites = sum(theirs.counts, WRITES) / n;
  console.log(`   ratio ours/theirs records/s:     ${speed.toFixed(1)}×   goal ≥ 3×: ${speed >= 3 ? 'met' : 'NOT met'}`);
  console.log(`   write requests/record ours/theirs: ${oursWrites.toFixed(4)} / ${theirWrites.toFixed(4)}   goal no more than theirs: ${oursWrites <= theirWrites ? 'met' : 'NOT met'}`);
} finally {
  await stack.stop();
}
