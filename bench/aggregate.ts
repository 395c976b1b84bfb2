// Node 20 is the local runtime; silence the SDK's notice about it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Aggregate stage, all shipped queries together: (1) operator records/s on one core with in-memory
// ports, against the same fold without state and the naive fold into every window; (2) DynamoDB
// write requests per 1,000 records with the real adapters on DynamoDB Local, against one update
// per record per window; (3) state items written per hour of event time.
// Run: npx tsx bench/aggregate.ts [--records N] [--dynamo-records N] [--replay-days N]
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { DynamoDBAggregateStateStore } from '../shared/adapters/DynamoDBAggregateStateStore.js';
import { DynamoDBResultStore } from '../shared/adapters/DynamoDBResultStore.js';
import { InMemoryAggregateStateStore } from '../shared/adapters/InMemoryAggregateStateStore.js';
import { collectBatch, fnv1a, sliceUpdates, type Positioned } from '../shared/aggregate/collect.js';
import type { CompiledQuery } from '../shared/aggregate/compile.js';
import { isControl, type CleanInput } from '../shared/aggregate/control.js';
import { eventTimeOf } from '../shared/aggregate/eventTime.js';
import { accumulate, SEP, type GroupAccumulator } from '../shared/aggregate/partials.js';
import { positionKey } from '../shared/aggregate/position.js';
import { compiledQueries } from '../shared/aggregate/queries.js';
import type { ResultRow } from '../shared/aggregate/rows.js';
import { GLOBAL_SLICE, sliceOf, windowsOfSlice, type Interval } from '../shared/aggregate/windows.js';
import { DYNAMODB_LIMITS } from '../shared/constants.js';
import { StateLimitError } from '../shared/errors.js';
import { generateTransactions } from '../shared/generator/transactions.js';
import { createAggregateOperator } from '../shared/operators/aggregate.js';
import { CONTINUOUS_SLICE, type AggregateStateStore } from '../shared/ports/AggregateStateStore.js';
import type { ResultStore, WindowResult } from '../shared/ports/ResultStore.js';
import { primaryKeyOf } from '../shared/primaryKey.js';
import type { Decoded } from '../shared/stage/decode.js';
import type { EnrichedTransaction, RawTransaction } from '../shared/types.js';
import { freePort } from '../local/stack/emulators.js';
import { LOCAL_CREDENTIALS, startStack } from '../local/stack/stack.js';
import { InMemoryDocumentSink, InMemoryResultPublisher, InMemoryResultStore } from '../test/helpers/aggregateFakes.js';
import { interleave, loadProductMap, ShardFeed } from '../test/helpers/aggregateRun.js';
import { numberOption } from './lib/options.js';

/** Chain records for the throughput and the item counts (a prefix of one day of 1,000 stores). */
const memoryRecords = numberOption('records', 150_000);
/** Chain records run on DynamoDB Local. */
const dynamoRecords = numberOption('dynamo-records', 100_000);
/** Days of the single-store six-month replay run on DynamoDB Local (181 = all of it). */
const replayDays = numberOption('replay-days', 31);
/** Records of the naive per-window fold: it is slow, and records/s needs no more. */
const NAIVE_RECORDS = 30_000;
const CHAIN_STORES = 1_000;
const CHAIN_DAY = '2015-01-01';
const BATCH_SIZE = 1_000;
/** Records between upstream watermarks: enrich puts one on every shard after each batch of 500 (serverless.yml). */
const WATERMARK_EVERY = 500;
const FOUR_SHARDS = ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'];
const ONE_SHARD = ['shardId-000000000000'];
const HOUR_MS = 3_600_000;
const region = 'ap-northeast-2';
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const progress = (text: string): void => console.log(`   … ${text} (${elapsed()})`);

// ---- data ------------------------------------------------------------------------------------
const products = loadProductMap();

/** A line item as enrich outputs it: the product joined, the fields in the enriched record's fixed order. */
function join(raw: RawTransaction): EnrichedTransaction {
  const product = products.get(raw.product_cd);
  if (product === undefined) throw new Error(`product ${raw.product_cd} is not in data/products.csv`);
  return {
    tr_date: raw.tr_date,
    tr_time: raw.tr_time,
    store_cd: raw.store_cd,
    store_name: raw.store_name,
    pos_num: raw.pos_num,
    receipt_num: raw.receipt_num,
    product_cd: raw.product_cd,
    qty: raw.qty,
    mount: raw.mount,
    tr_datetime: `${raw.tr_datetime.slice(0, 10)}T${raw.tr_datetime.slice(11)}`,
    division_cd: product.division_cd,
    division_name: product.division_name,
    maincategory_cd: product.maincategory_cd,
    maincategory_name: product.maincategory_name,
    subcategory_cd: product.subcategory_cd,
    subcategory_name: product.subcategory_name,
    product_name: product.product_name,
    is_pb: product.is_pb,
    event_time: '2026-11-21T00:00:00.000000',
    pk: primaryKeyOf(raw),
    src: { stream: 'eddy-enriched', shard: 'shardId-000000000000', seq: '1' },
  };
}

/**
 * The first `count` rows of a generator as the aggregate stage decodes them: joined, then through
 * JSON. (`enrichLines` builds records with spreads, which V8 keeps as slow dictionary-mode
 * objects, unlike what `JSON.parse` gives the Lambda; and it takes 18 s for a chain's day.)
 */
function first(rows: Iterable<RawTransaction>, count: number): EnrichedTransaction[] {
  const out: EnrichedTransaction[] = [];
  for (const row of rows) {
    if (out.length >= count) break;
    out.push(JSON.parse(JSON.stringify(join(row))) as EnrichedTransaction);
  }
  return out;
}

/** Batches as the operator receives them, on the given shards. */
interface Feed {
  readonly shards: readonly string[];
  readonly batches: Decoded<CleanInput>[][];
  /** The end-of-input signal, one batch per shard. */
  readonly final: Decoded<CleanInput>[][];
}

/**
 * The records spread over the shards by primary key with an upstream watermark on every shard
 * after each {@link WATERMARK_EVERY} records, cut into batches interleaved round-robin.
 */
function feedOf(records: readonly EnrichedTransaction[], shards = FOUR_SHARDS): Feed {
  const feed = new ShardFeed(shards);
  return { shards, batches: interleave(feed.spread(records, WATERMARK_EVERY), BATCH_SIZE), final: [...feed.final().values()] };
}

const everyBatch = (feed: Feed): Decoded<CleanInput>[][] => [...feed.batches, ...feed.final];
const recordsOf = (batches: readonly Decoded<CleanInput>[][]): EnrichedTransaction[] => batches.flatMap((batch) => batch.flatMap(({ value }) => (isControl(value) ? [] : [value])));
const eventTimeOfRecord = (record: EnrichedTransaction): number => eventTimeOf(record.tr_datetime) as number;

/** Event-time hours from the first record's hour to the last's. */
function hoursSpanned(records: readonly EnrichedTransaction[]): number {
  let low = Infinity;
  let high = -Infinity;
  for (const record of records) {
    const hour = Math.floor(eventTimeOfRecord(record) / HOUR_MS);
    low = Math.min(low, hour);
    high = Math.max(high, hour);
  }
  return high - low + 1;
}

/** Mean over the batches of their highest minus lowest event time. */
function meanSpan(batches: readonly Decoded<CleanInput>[][]): number {
  let total = 0;
  for (const batch of batches) {
    const times = recordsOf([batch]).map(eventTimeOfRecord);
    if (times.length > 0) total += times.reduce((a, b) => Math.max(a, b)) - times.reduce((a, b) => Math.min(a, b));
  }
  return total / Math.max(1, batches.length);
}

const formatSpan = (ms: number): string => (ms < 120_000 ? `${(ms / 1000).toFixed(0)} s` : ms < 2 * HOUR_MS ? `${(ms / 60_000).toFixed(0)} min` : `${(ms / HOUR_MS).toFixed(0)} h`);

// ---- the operator, its ports, and the baselines ------------------------------------------------
/** The in-memory result store, counting the puts DynamoDBResultStore makes: one per window written, one per continuous update. */
class CountingResultStore implements ResultStore {
  public writes = 0;
  private readonly inner = new InMemoryResultStore();

  public async putWindows(query: string, windows: readonly WindowResult[]): Promise<void> {
    this.writes += windows.length;
    await this.inner.putWindows(query, windows);
  }

  public async putContinuous(query: string, rows: readonly ResultRow[], version: number): Promise<void> {
    this.writes += 1;
    await this.inner.putContinuous(query, rows, version);
  }

  public read(query: string, range?: { readonly from?: number; readonly to?: number }): Promise<ResultRow[]> {
    return this.inner.read(query, range);
  }
}

/** The operator as the tests wire it: every shard open, a processing clock that stands still. */
const operatorOf = (queries: readonly CompiledQuery[], state: AggregateStateStore, results: ResultStore, shards: readonly string[]) =>
  createAggregateOperator({
    queries,
    state,
    shards: { openShards: async () => shards, parentsOf: async () => [] },
    results,
    publisher: new InMemoryResultPublisher(),
    late: new InMemoryDocumentSink(),
    clock: () => 1_000_000,
    idleTimeoutMs: 60_000,
    // With the clock standing still a grace period would never end: fire once every shard reported.
    startupGraceMs: 0,
    firingTimeoutMs: 120_000,
  });

/** A whole feed through the operator with the in-memory state store. */
async function runInMemory(queries: readonly CompiledQuery[], feed: Feed): Promise<{ state: InMemoryAggregateStateStore; results: CountingResultStore }> {
  const state = new InMemoryAggregateStateStore();
  const results = new CountingResultStore();
  const operator = operatorOf(queries, state, results, feed.shards);
  for (const batch of everyBatch(feed)) await operator(batch);
  return { state, results };
}

/** The operator's per-record work alone: event time, position, slice assignment and each slice's delta; no state, no firing. */
function foldOnly(queries: readonly CompiledQuery[], feed: Feed): number {
  let parts = 0;
  for (const batch of everyBatch(feed)) {
    const records: Positioned[] = [];
    for (const { value, origin } of batch) if (!isControl(value)) records.push({ record: value, eventTime: eventTimeOfRecord(value), position: positionKey(origin), origin });
    const collected = collectBatch(queries, records, () => false);
    const updates = sliceUpdates(queries, collected, [...collected.distinct.values()].map((add) => new Set(add.values).size));
    for (const update of updates) parts += update.deltaAfter(undefined).add.size;
  }
  return parts;
}

/** Every window a record at `t` belongs to: TUMBLE 1, HOP size/slide, CUMULATE the cumulative windows holding it, none 1. */
const windowsAt = (query: CompiledQuery, t: number): Interval[] => (query.windowed ? windowsOfSlice(query.definition.window, sliceOf(query.definition.window, t).start) : [GLOBAL_SLICE]);

/** The naive plan's updates: one per record per window it belongs to per query, filtered queries counting only the rows they accept. */
function naiveUpdates(queries: readonly CompiledQuery[], records: readonly EnrichedTransaction[]): number {
  let updates = 0;
  for (const record of records) {
    const t = eventTimeOfRecord(record);
    for (const query of queries) if (query.accepts(record)) updates += windowsAt(query, t).length;
  }
  return updates;
}

/** The naive plan in memory: each record folded into each of its windows' state, distinct values into a set per window. */
function naiveFold(queries: readonly CompiledQuery[], records: readonly EnrichedTransaction[]): number {
  const windows = new Map<string, GroupAccumulator>();
  const distinct = new Map<string, Set<string>>();
  for (const record of records) {
    const t = eventTimeOfRecord(record);
    for (const query of queries) {
      if (!query.accepts(record)) continue;
      for (const window of windowsAt(query, t)) {
        const key = `${query.name}@${window.start}:${window.end}`;
        const groups = windows.get(key) ?? new Map();
        windows.set(key, groups);
        accumulate(groups, query, record, t);
        query.definition.aggregates.forEach((aggregate, i) => {
          if (aggregate.fn !== 'count_distinct') return;
          const { partition, value } = query.distinctOf(aggregate, record);
          for (const group of query.groupsOf(record)) {
            const bucket = `${key}@${i}@${partition}@${group}`;
            const set = distinct.get(bucket) ?? new Set<string>();
            distinct.set(bucket, set);
            set.add(value);
          }
        });
      }
    }
  }
  return windows.size + distinct.size;
}

async function seconds(run: () => Promise<unknown> | unknown): Promise<number> {
  const begin = performance.now();
  await run();
  return (performance.now() - begin) / 1000;
}

/** Best of three after one warm-up run: the machine has two cores and other work on them. */
async function best(run: () => Promise<unknown> | unknown): Promise<number> {
  await run();
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) fastest = Math.min(fastest, await seconds(run));
  return fastest;
}

// ---- 1. throughput ---------------------------------------------------------------------------
const queries = compiledQueries();
console.log(`aggregate bench: ${queries.length} queries (${queries.map((query) => query.name).join(', ')}), batches of ${fmt(BATCH_SIZE)}, an upstream watermark every ${WATERMARK_EVERY} records, Node ${process.version}`);
progress(`generating ${fmt(Math.max(memoryRecords, dynamoRecords))} chain records (${fmt(CHAIN_STORES)} stores, ${CHAIN_DAY}) and the single-store six months`);
const chainAll = first(generateTransactions({ stores: CHAIN_STORES, from: CHAIN_DAY, to: CHAIN_DAY }), Math.max(memoryRecords, dynamoRecords));
const chain = chainAll.slice(0, memoryRecords);
const chainFeed = feedOf(chain);
const replay = first(generateTransactions({}), Number.MAX_SAFE_INTEGER);

progress('1. operator with in-memory ports, warm-up + best of 3');
let chainState = new InMemoryAggregateStateStore();
const operatorTime = await best(async () => (chainState = (await runInMemory(queries, chainFeed)).state));
progress('1. baselines, warm-up + best of 3 each');
const foldTime = await best(() => foldOnly(queries, chainFeed));
const naiveChain = chain.slice(0, NAIVE_RECORDS);
const naiveTime = await best(() => naiveFold(queries, naiveChain));
const rate = { operator: chain.length / operatorTime, fold: chain.length / foldTime, naive: naiveChain.length / naiveTime };
const memoryGoal = 100_000;
const chainHours = (eventTimeOfRecord(chain[chain.length - 1] as EnrichedTransaction) - eventTimeOfRecord(chain[0] as EnrichedTransaction)) / HOUR_MS;
console.log(`1. operator records/s on one core, in-memory ports: ${fmt(chain.length)} chain records (${fmt(CHAIN_STORES)} stores, ${chainHours.toFixed(1)} h of event time), ${FOUR_SHARDS.length} shards, ${fmt(everyBatch(chainFeed).length)} batches, best of 3`);
console.log(`   aggregate operator:    ${fmt(rate.operator).padStart(9)} records/s   goal ≥ ${fmt(memoryGoal)}: ${rate.operator >= memoryGoal ? 'met' : 'NOT met'}`);
console.log(`   fold without state:    ${fmt(rate.fold).padStart(9)} records/s   (event time, position, slices, deltas; no store, no firing)`);
console.log(`   naive fold per window: ${fmt(rate.naive).padStart(9)} records/s   (first ${fmt(naiveChain.length)} records, each into each of its ${(naiveUpdates(queries, naiveChain) / naiveChain.length).toFixed(1)} windows, in memory)`);
console.log(`   ratio operator/fold without state: ${(rate.operator / rate.fold).toFixed(2)}   operator/naive fold: ${(rate.operator / rate.naive).toFixed(2)}`);

// ---- 2. DynamoDB write requests --------------------------------------------------------------
type Counted = { client: DynamoDBClient; counts: Map<string, number> };

/**
 * A DynamoDB client on DynamoDB Local whose HTTP requests (SDK retries included) are counted by
 * command and by the item it writes (a `slices` item, `distinct#…`, the `pipeline` item, or `results`
 * for a results-table item; a transaction by its first item).
 */
function countedClient(endpoint: string): Counted {
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }) }) });
  const counts = new Map<string, number>();
  // finalizeRequest at low priority runs inside the retry middleware: once per HTTP attempt.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? '?').replace(/Command$/, '');
      type Keyed = { Key?: { pk?: { S?: string } }; Item?: { pk?: { S?: string } } };
      const input = args.input as Keyed & { TransactItems?: { Put?: Keyed; Update?: Keyed }[] };
      const first = input.TransactItems?.[0]?.Put ?? input.TransactItems?.[0]?.Update ?? input;
      const pk = first.Key?.pk?.S ?? first.Item?.pk?.S;
      const item = pk === undefined ? undefined : pk === 'slices' ? 'slice' : pk.includes('#') || pk === 'pipeline' ? (pk.split('#')[0] as string) : 'results';
      const name = WRITE_COMMANDS.has(command) && item !== undefined ? `${command} ${item}` : command;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchCountRequests' },
  );
  return { client, counts };
}

/** Requests of one run, as the adapters counted them and as they went over the wire. */
interface Requests {
  readonly stateWrites: number;
  readonly stateReads: number;
  readonly resultWrites: number;
  readonly wire: ReadonlyMap<string, number>;
}

interface DynamoOutcome {
  readonly shards: number;
  readonly records: number;
  readonly batches: number;
  readonly seconds: number;
  /** Everything, the end-of-input flush included (when reached). */
  readonly total: Requests;
  /** The end-of-input signal's share: the windows still open fire at once. */
  readonly flush: Requests | undefined;
  readonly naive: number;
  /** Mean event-time span of a batch, ms. */
  readonly span: number;
  readonly failure: StateLimitError | undefined;
}

const WRITE_COMMANDS = new Set(['UpdateItem', 'PutItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const wireWrites = (wire: ReadonlyMap<string, number>): number => [...wire].reduce((n, [name, c]) => n + (WRITE_COMMANDS.has(name.split(' ')[0] as string) ? c : 0), 0);
const minus = (a: Requests, b: Requests): Requests => ({
  stateWrites: a.stateWrites - b.stateWrites,
  stateReads: a.stateReads - b.stateReads,
  resultWrites: a.resultWrites - b.resultWrites,
  wire: new Map([...a.wire].map(([name, c]) => [name, c - (b.wire.get(name) ?? 0)])),
});

function printDynamo(label: string, outcome: DynamoOutcome, goal?: number): void {
  const { total, flush } = outcome;
  const wire = [...total.wire].map(([name, c]) => `${name} ${fmt(c)}`).join(', ');
  console.log(`   ${label}, ${shardsText(outcome.shards)}: ${fmt(outcome.records)} records in ${fmt(outcome.batches)} batches (a batch spans ${formatSpan(outcome.span)} of event time on average), ${outcome.seconds.toFixed(1)} s`);
  if (outcome.failure !== undefined) console.log(`     STOPPED at batch ${outcome.batches + 1} with ${outcome.failure.name}: ${outcome.failure.message}`);
  if (outcome.records === 0) {
    console.log(`     requests before it stopped: ${wire}`);
    return;
  }
  const per = (n: number): string => fmt((n * 1000) / outcome.records, 2);
  const ours = total.stateWrites + total.resultWrites;
  const verdict = outcome.failure !== undefined ? 'not reached (the run stopped)' : (ours * 1000) / outcome.records <= (goal ?? 0) ? 'met' : 'NOT met';
  const byItem = (name: string): string => per(total.wire.get(name) ?? 0);
  console.log(`     write requests per 1,000 records: state ${per(total.stateWrites)} + results ${per(total.resultWrites)} = ${per(ours)}${goal === undefined ? '' : `   goal ≤ ${goal}: ${verdict}`}`);
  const slices = (total.wire.get('TransactWriteItems slice') ?? 0) + (total.wire.get('PutItem slice') ?? 0);
  console.log(`       state writes by item: slices ${per(slices)}, distinct-value buckets ${byItem('UpdateItem distinct')}, pipeline item ${byItem('UpdateItem pipeline')}`);
  if (flush !== undefined) console.log(`       of which the end-of-input flush: state ${per(flush.stateWrites)} + results ${per(flush.resultWrites)}`);
  console.log(`     naive, one update per record per window: ${per(outcome.naive)} per 1,000 records   ratio naive/ours: ${(outcome.naive / ours).toFixed(1)}×`);
  console.log(`     reads per 1,000 records: state ${per(total.stateReads)};  on the wire: ${wire} (writes ${fmt(wireWrites(total.wire))})`);
}

const memoryPer1000 = (run: { state: InMemoryAggregateStateStore; results: CountingResultStore }, records: number): string =>
  `state ${fmt((run.state.requests.writes * 1000) / records, 2)} + results ${fmt((run.results.writes * 1000) / records, 2)} = ${fmt(((run.state.requests.writes + run.results.writes) * 1000) / records, 2)} per 1,000`;
const shardsText = (n: number): string => `${n} shard${n > 1 ? 's' : ''}`;

progress('2. starting the local stack');
const stack = await startStack({ persist: false, dataDir: '', region, ports: { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() } });
let wholeReplay: { state: InMemoryAggregateStateStore; results: CountingResultStore };
try {
  const counted = countedClient(stack.endpoints.dynamodb);
  const document = DynamoDBDocumentClient.from(counted.client, { marshallOptions: { removeUndefinedValues: true } });
  let tables = 0;
  const createTable = async (name: string): Promise<void> => {
    await counted.client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
      }),
    );
  };

  /** The operator with the real adapters on fresh tables; stops at a StateLimitError and says where. */
  async function runOnDynamoDB(label: string, feed: Feed): Promise<DynamoOutcome> {
    tables += 1;
    const names = { state: `aggregate-state-${tables}`, results: `aggregate-results-${tables}` };
    await createTable(names.state);
    await createTable(names.results);
    counted.counts.clear();
    const state = new DynamoDBAggregateStateStore(document, names.state);
    const results = new DynamoDBResultStore(document, names.results);
    const operator = operatorOf(queries, state, results, feed.shards);
    const snapshot = (): Requests => ({ stateWrites: state.requests.writes, stateReads: state.requests.reads, resultWrites: results.requests.writes, wire: new Map(counted.counts) });
    const done: Decoded<CleanInput>[][] = [];
    let failure: StateLimitError | undefined;
    let flush: Requests | undefined;
    let reported = performance.now();
    const time = await seconds(async () => {
      try {
        for (const batch of feed.batches) {
          await operator(batch);
          done.push(batch);
          if (performance.now() - reported > 15_000) {
            reported = performance.now();
            progress(`${label}: batch ${fmt(done.length)} of ${fmt(feed.batches.length)}`);
          }
        }
      } catch (error) {
        // A state limit is a finding to report; anything else fails the bench.
        if (!(error instanceof StateLimitError)) throw error;
        failure = error;
        return;
      }
      const before = snapshot();
      for (const batch of feed.final) await operator(batch);
      flush = minus(snapshot(), before);
    });
    const records = recordsOf(done);
    return { shards: feed.shards.length, records: records.length, batches: done.length, seconds: time, total: snapshot(), flush, naive: naiveUpdates(queries, records), span: meanSpan(done), failure };
  }

  // (a) chain scale.
  progress(`2a. ${fmt(dynamoRecords)} chain records on DynamoDB Local`);
  const chainDynamo = await runOnDynamoDB('2a', feedOf(chainAll.slice(0, dynamoRecords)));

  // (b) the single-store six-month replay's first days; on one shard too when four stop.
  const until = new Date(Date.UTC(2015, 0, 1 + replayDays)).toISOString().slice(0, 19);
  const replaySlice = replay.filter((record) => record.tr_datetime < until);
  progress(`2b. the single-store replay's first ${replayDays} of 181 days (${fmt(replaySlice.length)} records) on DynamoDB Local`);
  const replayRuns = [await runOnDynamoDB('2b', feedOf(replaySlice))];
  if (replayRuns[0]?.failure !== undefined) {
    progress('2b. again on one shard');
    replayRuns.push(await runOnDynamoDB('2b, one shard', feedOf(replaySlice, ONE_SHARD)));
  }
  const replayShards = replayRuns.length > 1 ? ONE_SHARD : FOUR_SHARDS;
  progress(`2b. the same records, and the whole six months, with the in-memory store on ${shardsText(replayShards.length)}`);
  const sliceCheck = await runInMemory(queries, feedOf(replaySlice, replayShards));
  wholeReplay = await runInMemory(queries, feedOf(replay, replayShards));

  console.log(`2. DynamoDB write requests per 1,000 input records, all ${queries.length} queries, real adapters on DynamoDB Local, batches of ${fmt(BATCH_SIZE)}`);
  printDynamo(`(a) chain, ${fmt(CHAIN_STORES)} stores`, chainDynamo, 25);
  for (const run of replayRuns) printDynamo(`(b) single store, the replay's first ${replayDays} of 181 days`, run);
  console.log(`     in-memory store's count of the same requests, same records, ${shardsText(replayShards.length)}: ${memoryPer1000(sliceCheck, replaySlice.length)}`);
  console.log(
    `     in-memory store's count for the whole six months (${fmt(replay.length)} records, ${shardsText(replayShards.length)}; not run on DynamoDB): ${memoryPer1000(wholeReplay, replay.length)}; naive ${fmt((naiveUpdates(queries, replay) * 1000) / replay.length, 2)}`,
  );
} finally {
  await stack.stop();
}

// ---- 3. state items per hour -------------------------------------------------------------------
/**
 * The bytes of values each distinct-value item would hold after a whole chain day (DynamoDB
 * counts a binary set as the sum of its values' lengths; the packed values are latin1 strings,
 * one character per byte), to set against the item limit.
 */
function largestDistinctItem(): { query: string; buckets: number; values: number; bytes: number } | undefined {
  const distinct = queries.flatMap((query) => query.definition.aggregates.filter((aggregate) => aggregate.fn === 'count_distinct').map((aggregate) => ({ query, aggregate })));
  if (distinct.length === 0) return undefined;
  const items = new Map<string, { query: string; buckets: number; values: Set<string>; bytes: number }>();
  for (const row of generateTransactions({ stores: CHAIN_STORES, from: CHAIN_DAY, to: CHAIN_DAY })) {
    const record = join(row);
    for (const { query, aggregate } of distinct) {
      const { partition, value } = query.distinctOf(aggregate, record);
      const buckets = aggregate.buckets ?? 1;
      for (const group of query.groupsOf(record)) {
        const key = [query.name, aggregate.name, partition, fnv1a(value) % buckets, group].join(SEP);
        const item = items.get(key) ?? { query: query.name, buckets, values: new Set<string>(), bytes: 0 };
        items.set(key, item);
        if (!item.values.has(value)) (item.values.add(value), (item.bytes += Buffer.byteLength(value, 'latin1')));
      }
    }
  }
  const largest = [...items.values()].reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { query: largest.query, buckets: largest.buckets, values: largest.values.size, bytes: largest.bytes };
}

function printItems(label: string, state: InMemoryAggregateStateStore, records: readonly EnrichedTransaction[]): void {
  const hours = hoursSpanned(records);
  // DynamoDB keeps one item per slice start for every query (the in-memory store, one per query and slice).
  const starts = new Set([...state.slices.keys()].map((key) => Number(key.split(SEP)[1])));
  const windowed = [...starts].filter((start) => start !== CONTINUOUS_SLICE).length;
  const continuous = starts.size - windowed;
  const days = new Set(records.map((record) => record.tr_date)).size;
  console.log(
    `   ${label}: ${fmt(records.length)} records over ${fmt(hours)} h (${days} day${days > 1 ? 's' : ''}): ${fmt(windowed)} windowed slice items (${(windowed / hours).toFixed(2)}/h) + ${continuous} continuous; ${fmt(state.buckets.size)} distinct-value bucket items (${(state.buckets.size / hours).toFixed(2)}/h, ${fmt(state.buckets.size / days, 1)} a day)`,
  );
}

progress('3. distinct values of a whole chain day');
const largest = largestDistinctItem();
console.log('3. state items written per hour of event time (as DynamoDB keeps them: one slice item per slice start)');
printItems(`chain, ${fmt(CHAIN_STORES)} stores`, chainState, chain);
printItems('single store, six months', wholeReplay.state, replay);
if (largest !== undefined) {
  const limit = DYNAMODB_LIMITS.itemMaxBytes;
  console.log(
    `   largest distinct-value item after a whole chain day (${CHAIN_DAY}, all ${fmt(CHAIN_STORES)} stores): ${largest.query}, ${largest.buckets} bucket(s), ${fmt(largest.values)} values, ${fmt(largest.bytes / 1024)} KB of values   item limit ${fmt(limit / 1024)} KB: ${largest.bytes < limit ? 'fits' : 'DOES NOT FIT'}`,
  );
}
console.log(`total run time ${elapsed()}`);
