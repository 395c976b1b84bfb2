// S3 writer, default configuration (loadWriterConfig's defaults: RAW_PREFIX_TEMPLATE, Flink's rolling
// policy 128 MiB / 30 min / 30 min, partition-time commit): (1) records/s and MB/s on one core with
// in-memory adapters, json, gzip and parquet, against the bare encoding of the same batches; (2) S3
// requests per 1,000 records and committed objects per GB at chain scale on a fake clock, against
// one PutObject per batch per partition, and DynamoDB requests per 1,000 records; (3) peak memory
// of an invocation at 10,000-record batches, the one that rolls a 128 MiB file included, measured
// in a child process whose object store lives in this one.
// Run: npx tsx bench/writer.ts [--records N] [--rate N] [--low-rate N] [--only 1|2|3]
import { buildSync } from 'esbuild';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemoryAggregateStateStore } from '../shared/adapters/InMemoryAggregateStateStore.js';
import { InMemoryObjectStore } from '../shared/adapters/InMemoryObjectStore.js';
import { InMemoryWriterStateStore } from '../shared/adapters/InMemoryWriterStateStore.js';
import { formatLocal } from '../shared/aggregate/eventTime.js';
import { createS3Writer, type WriterInput, type WriterOutcome } from '../shared/operators/s3Writer.js';
import type { ObjectStore } from '../shared/ports/ObjectStore.js';
import type { Decoded } from '../shared/stage/decode.js';
import { fileFormat, type FileFormatName } from '../shared/writer/formats.js';
import { partitionSpan, SUCCESS_FILE } from '../shared/writer/partitionCommit.js';
import { mergeColumns, ParquetFileBuilder } from '../shared/writer/parquet.js';
import { loadWriterConfig } from '../shared/writer/writerConfig.js';
import { watermarkTimeouts, writerSettings } from '../shared/writer/writerSettings.js';
import { InMemoryErrorSink } from '../test/helpers/fakes.js';
import { RemoteObjectStore, serveObjectStore, type HeldBytes } from '../test/helpers/remoteObjectStore.js';
import { chainRecords, readSamples, ShardBatches, type ChainRecord, type Delivery } from '../test/helpers/writerFeed.js';
import { numberOption } from './lib/options.js';

/** Records per format in the throughput run. */
const THROUGHPUT_RECORDS = numberOption('records', 200_000);
/** Chain scale: 1,000 stores together sell this many line items a second (one each, a busy hour). */
const CHAIN_RATE = numberOption('rate', 1_000);
/** A quiet chain (or a quiet hour), to show where the rolling policy's timers take over from its size. */
const LOW_RATE = numberOption('low-rate', 100);
const STORES = 1_000;
const BATCH_SIZE = 1_000;
const MEMORY_BATCH_SIZE = 10_000;
/** V8 limits for a 256 MB function, as Lambda's Node bootstrap has set them: new space a tenth (two semi spaces), old space the rest. */
const LAMBDA_HEAP = { oldSpaceMiB: 256 - 25, semiSpaceMiB: 12 } as const;
const FOUR_SHARDS = ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'];
/** From a record's event time to the invocation that gets it: upstream stages and Lambda's polling. */
const LAG_MS = 1_000;
const MIB = 1024 * 1024;
const GB = 1e9;
const DAY = '2015-01-02';
const at = (time: string): number => Date.parse(`${DAY}T${time}Z`);
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number): string => `${fmt(bytes / MIB, 1)} MiB`;
const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`;

/** Periodic counts with rates on stderr, at most every 2 s. */
function progress(label: string, total: number): (done: number) => void {
  const begin = performance.now();
  let shown = begin;
  let finished = false;
  return (done) => {
    const now = performance.now();
    if (finished || (now - shown < 2_000 && done < total)) return;
    shown = now;
    finished = done >= total;
    process.stderr.write(`   … ${label}: ${fmt(done)}/${fmt(total)} records, ${fmt(done / ((now - begin) / 1000))} records/s (${elapsed()})\n`);
  };
}

// ---- data ------------------------------------------------------------------------------------
/** The memory child runs from a bundle elsewhere: it is told where the samples are. */
const SAMPLES_PATH = process.env.EDDY_BENCH_SAMPLES ?? fileURLToPath(new URL('../data/sample_stream_records.jsonl', import.meta.url));
const SAMPLES = readSamples(SAMPLES_PATH);
const chain = (from: number, to: number, rate: number, seed = 7): Generator<ChainRecord> => chainRecords({ samples: SAMPLES, from, to, rate, stores: STORES, seed });

// ---- the writer, wired as functions/s3-writer.ts wires it, on in-memory adapters ---------------
interface Rig {
  readonly write: (batch: readonly Decoded<WriterInput>[]) => Promise<WriterOutcome>;
  readonly files: InMemoryWriterStateStore;
  readonly clocks: InMemoryAggregateStateStore;
  readonly setNow: (ms: number) => void;
  readonly stagingPrefix: string;
}

function rig(format: FileFormatName, shards: readonly string[], objects: ObjectStore): Rig {
  // The deployed defaults: only what has no default is set.
  const config = loadWriterConfig({ INPUT_STREAM: 'eddy-clean', BUCKET: 'bench', STATE_TABLE: 'bench', FORMAT: format });
  let now = 0;
  const files = new InMemoryWriterStateStore();
  const clocks = new InMemoryAggregateStateStore();
  const write = createS3Writer({
    ...writerSettings(config),
    files,
    objects,
    errors: new InMemoryErrorSink(),
    watermark: { state: clocks, shards: { openShards: async () => shards, parentsOf: async () => [] }, ...watermarkTimeouts(config) },
    clock: () => now,
  });
  return { write, files, clocks, setNow: (ms) => void (now = ms), stagingPrefix: config.stagingPrefix };
}

async function run(target: Rig, delivery: Delivery): Promise<WriterOutcome> {
  target.setNow(delivery.at);
  return target.write(delivery.batch);
}

// ---- 1. throughput ---------------------------------------------------------------------------
const recordsOf = (delivery: Delivery): Record<string, unknown>[] => delivery.batch.slice(0, delivery.records).map(({ value }) => value as Record<string, unknown>);

/** The bare encoding of the same batches: per batch for json and gzip, one Parquet file per shard. */
function bareEncoding(format: FileFormatName, feed: readonly Delivery[]): number {
  let bytes = 0;
  if (format !== 'parquet') {
    for (const delivery of feed) bytes += fileFormat(format).encode(recordsOf(delivery)).length;
    return bytes;
  }
  for (const shard of FOUR_SHARDS) {
    const mine = feed.filter((delivery) => delivery.shard === shard).map(recordsOf);
    const builder = new ParquetFileBuilder(mine.reduce((columns, records) => mergeColumns(columns, records), mergeColumns([], [])));
    for (const records of mine) builder.append(records);
    bytes += builder.finish().length;
  }
  return bytes;
}

/** The whole feed through a fresh writer: answers the seconds taken and the committed bytes. */
async function throughputRun(format: FileFormatName, feed: readonly Delivery[], show?: (done: number) => void): Promise<{ seconds: number; committed: number }> {
  const objects = new InMemoryObjectStore();
  const writer = rig(format, FOUR_SHARDS, objects);
  let done = 0;
  const begin = performance.now();
  for (const delivery of feed) {
    await run(writer, delivery);
    done += delivery.records;
    show?.(done);
  }
  const seconds = (performance.now() - begin) / 1000;
  let committed = 0;
  for (const [key, body] of objects.objects) if (!key.startsWith(writer.stagingPrefix)) committed += body.length;
  return { seconds, committed };
}

async function throughput(): Promise<void> {
  const from = at('12:00:00');
  const batches = new ShardBatches(FOUR_SHARDS, LAG_MS);
  const feed = [...batches.deliveries(chain(from, from + Math.ceil((THROUGHPUT_RECORDS * 1000) / CHAIN_RATE), CHAIN_RATE), BATCH_SIZE, true)];
  feed.push(...batches.finals((feed[feed.length - 1] as Delivery).at + 1_000));
  const records = feed.reduce((n, delivery) => n + delivery.records, 0);
  const inputBytes = feed.reduce((n, delivery) => n + delivery.batch.slice(0, delivery.records).reduce((sum, { origin }) => sum + origin.bytes.length, 0), 0);
  const warmUp = feed.slice(0, 20);
  console.log(`1. records/s on one core, in-memory adapters: ${fmt(records)} chain records (${fmt(STORES)} stores, ${fmt(CHAIN_RATE)} records/s of event time, ${fmt(inputBytes / records)} bytes each as JSON), ${FOUR_SHARDS.length} shards, batches of ${fmt(BATCH_SIZE)} + a watermark, then the end of input (every file rolls and commits); one warm-up run of 20 batches, then best of 2`);
  for (const format of ['json', 'gzip', 'parquet'] as const) {
    await throughputRun(format, warmUp);
    const show = progress(`1. ${format}`, records * 2);
    const first = await throughputRun(format, feed, show);
    const second = await throughputRun(format, feed, (done) => show(records + done));
    const best = Math.min(first.seconds, second.seconds);
    bareEncoding(format, warmUp);
    const bareBegin = performance.now();
    const bareBytes = bareEncoding(format, feed);
    const bareSeconds = (performance.now() - bareBegin) / 1000;
    const rate = records / best;
    console.log(
      `   ${format.padEnd(8)} writer ${fmt(rate).padStart(8)} records/s  ${fmt(inputBytes / 1e6 / best, 1).padStart(5)} MB/s of input   ` +
        `bare encoding ${fmt(records / bareSeconds).padStart(9)} records/s   ratio writer/bare ${(bareSeconds / best).toFixed(2)}   ` +
        `committed ${fmt(first.committed / records, 0)} bytes/record (bare ${fmt(bareBytes / records, 0)})`,
    );
  }
}

// ---- 2. requests and objects per GB ----------------------------------------------------------
interface Tally {
  files: number;
  bytes: number;
  markers: number;
  sizes: number[];
}

async function requestRun(rate: number): Promise<void> {
  const from = at('11:55:00');
  const to = at('13:01:00');
  const objects = new InMemoryObjectStore();
  const writer = rig('json', FOUR_SHARDS, objects);
  const partitions = new Map<string, Tally>();
  const naive = new Map<number, number>();
  const staged = new Set<string>();
  const markers = new Set<string>();
  let markerPuts = 0;
  let records = 0;
  let batches = 0;
  const total = Math.round(((to - from) / 1000) * rate);
  const show = progress(`2. ${fmt(rate)} records/s`, total);
  for (const delivery of new ShardBatches(FOUR_SHARDS, LAG_MS).deliveries(chain(from, to, rate), BATCH_SIZE, false)) {
    await run(writer, delivery);
    records += delivery.records;
    batches += 1;
    // The naive Lambda: one PutObject per partition (event hour) its batch holds.
    for (let hour = Math.floor(delivery.first / 3_600_000); hour <= Math.floor(delivery.last / 3_600_000); hour++) naive.set(hour, (naive.get(hour) ?? 0) + 1);
    // Committed objects are tallied and taken out, so the process holds only what is staged.
    for (const [key, body] of objects.objects) {
      if (key.startsWith(writer.stagingPrefix)) {
        staged.add(key);
        continue;
      }
      const prefix = key.slice(0, key.lastIndexOf('/') + 1);
      const tally = partitions.get(prefix) ?? { files: 0, bytes: 0, markers: 0, sizes: [] };
      partitions.set(prefix, tally);
      if (key.endsWith(`/${SUCCESS_FILE}`)) {
        // Put again by each shard that committed into the partition: one object, several PUTs.
        markerPuts += 1;
        if (!markers.has(key)) tally.markers += 1;
        markers.add(key);
      } else {
        tally.files += 1;
        tally.bytes += body.length;
        tally.sizes.push(body.length);
      }
      objects.objects.delete(key);
    }
    show(records);
  }
  const complete = [...partitions].filter(([prefix]) => {
    const span = partitionSpan(prefix);
    return span !== undefined && span.start >= from && span.end <= to;
  });
  const hours = complete.length;
  const sum = complete.reduce((acc, [, tally]) => ({ files: acc.files + tally.files, bytes: acc.bytes + tally.bytes, markers: acc.markers + tally.markers }), { files: 0, bytes: 0, markers: 0 });
  const naiveObjects = complete.reduce((n, [prefix]) => n + (naive.get(Math.floor((partitionSpan(prefix)?.start ?? 0) / 3_600_000)) ?? 0), 0);
  const ours = (sum.files + sum.markers) / (sum.bytes / GB);
  const naivePerGb = naiveObjects / (sum.bytes / GB);
  const per = (n: number): string => fmt((n * 1000) / records, 2);
  const s3 = objects.requests;
  const s3Total = Object.values(s3).reduce((a, b) => a + b, 0);
  const sizes = complete.flatMap(([, tally]) => tally.sizes).sort((a, b) => b - a);
  console.log(`   (${rate === CHAIN_RATE ? 'a' : 'b'}) ${fmt(rate)} records/s (${fmt((rate * 3600) / 1e6, 2)} M records an hour): ${fmt(records)} records in ${fmt(batches)} batches, event time ${formatLocal(from).slice(11)} → ${formatLocal(to).slice(11)}, processing time the same plus ${LAG_MS / 1000} s`);
  for (const [prefix, tally] of complete) {
    console.log(`     complete hour ${prefix.slice(prefix.indexOf('year='))}: ${tally.files} files + ${tally.markers} ${SUCCESS_FILE}, ${fmt(tally.bytes / GB, 3)} GB`);
  }
  if (hours === 0) console.log('     no complete hour was committed');
  console.log(`     file sizes in it: ${sizes.map((size) => mb(size)).join(', ')}`);
  console.log(`     ours:  ${fmt(ours, 2)} committed objects per GB (files and markers)   goal ≤ 10: ${ours <= 10 ? 'met' : 'NOT met'}`);
  console.log(`     naive: ${fmt(naivePerGb, 1)} objects per GB (${fmt(naiveObjects)} PutObject, one per batch per partition, same bytes)   ratio naive/ours: ${fmt(naivePerGb / ours, 1)}×`);
  console.log(
    `     S3 requests per 1,000 records: ${per(s3Total)} (${Object.entries(s3).map(([kind, n]) => `${kind} ${per(n)}`).join(', ')}); naive: ${per([...naive.values()].reduce((a, b) => a + b, 0))} (put)`,
  );
  console.log(`     ${SUCCESS_FILE} markers: ${fmt(markers.size)} objects from ${fmt(markerPuts)} PUTs (every shard that committed into a partition puts it once the partition is complete)`);
  console.log(`     staged objects (put, read back into parts, deleted at commit): ${fmt(staged.size)}, ${fmt((staged.size * 1000) / records, 2)} per 1,000 records; largest shard state ${fmt(writer.files.largestStateBytes / 1024, 1)} KiB of JSON`);
  console.log(
    `     DynamoDB requests per 1,000 records: writer state ${per(writer.files.requests.reads)} reads + ${per(writer.files.requests.writes)} writes, pipeline clock ${per(writer.clocks.requests.reads)} reads + ${per(writer.clocks.requests.writes)} writes; total ${per(writer.files.requests.reads + writer.clocks.requests.reads)} reads + ${per(writer.files.requests.writes + writer.clocks.requests.writes)} writes`,
  );
}

// ---- 3. memory, in a child process whose object store lives in this one -----------------------
interface Peak {
  rss: number;
  heap: number;
  buffers: number;
}
interface InvocationMemory {
  readonly index: number;
  readonly files: number;
  readonly before: Peak;
  readonly peak: Peak;
  readonly held: HeldBytes;
}
type ChildMessage = ({ readonly kind: 'baseline' } & Peak) | { readonly kind: 'invocation'; readonly memory: InvocationMemory };

const memoryNow = (): Peak => {
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
  return { rss, heap: heapUsed, buffers: arrayBuffers };
};

/**
 * In the child: one shard, batches of 10,000, until a 128 MiB file has rolled, and two more.
 * Memory is sampled before each invocation, at every object-store call (before it is sent and
 * when its answer is back) and every 5 ms in between.
 */
async function memoryChild(format: FileFormatName): Promise<void> {
  const send = (message: ChildMessage): boolean => process.send?.(message) ?? false;
  let peak = memoryNow();
  const sample = (): void => {
    const now = memoryNow();
    peak = { rss: Math.max(peak.rss, now.rss), heap: Math.max(peak.heap, now.heap), buffers: Math.max(peak.buffers, now.buffers) };
  };
  const objects = new RemoteObjectStore(sample);
  const shards = FOUR_SHARDS.slice(0, 1);
  send({ kind: 'baseline', ...memoryNow() });
  const writer = rig(format, shards, objects);
  const from = at('12:00:00');
  // One shard at 1,000 records/s: a batch every 10 s, 128 MiB within 5 min of one hour.
  const feed = new ShardBatches(shards, LAG_MS).deliveries(chain(from, from + 3_600_000, CHAIN_RATE, 11), MEMORY_BATCH_SIZE, true);
  let rolledAt: number | undefined;
  for (let index = 0; rolledAt === undefined || index < rolledAt + 3; index++) {
    const before = memoryNow();
    peak = { ...before };
    const timer = setInterval(sample, 5);
    // Built inside the measured window: the decoded batch and its raw bytes are the invocation's.
    const delivery = feed.next().value as Delivery;
    sample();
    const outcome = await run(writer, delivery);
    sample();
    clearInterval(timer);
    const held = await objects.held();
    if (outcome.files > 0 && rolledAt === undefined) rolledAt = index;
    send({ kind: 'invocation', memory: { index, files: outcome.files, before, peak, held } });
  }
  process.disconnect();
}

/** This file bundled by esbuild, as the Lambda runs its bundle: no tsx loader in the measured process. */
function bundled(dir: string): string {
  const bundle = join(dir, 'writer.mjs');
  buildSync({
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // CommonJS dependencies (aws-kinesis-agg) call require(): give the ES module bundle one.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return bundle;
}

/** Runs one format's child and serves its object store calls from a store in this process. */
async function memoryOf(bundle: string, format: FileFormatName): Promise<{ baseline: Peak; invocations: InvocationMemory[] }> {
  const child = fork(bundle, ['--memory-child', format], {
    execArgv: [`--max-old-space-size=${LAMBDA_HEAP.oldSpaceMiB}`, `--max-semi-space-size=${LAMBDA_HEAP.semiSpaceMiB}`],
    env: { ...process.env, EDDY_BENCH_SAMPLES: SAMPLES_PATH },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  serveObjectStore(child, new InMemoryObjectStore());
  const invocations: InvocationMemory[] = [];
  let baseline = memoryNow();
  child.on('message', (message: ChildMessage | object) => {
    if (!('kind' in message)) return;
    if (message.kind === 'baseline') baseline = message;
    else {
      invocations.push(message.memory);
      const { before, peak } = message.memory;
      process.stderr.write(`   … 3. ${format}: invocation ${invocations.length}, ${fmt(invocations.length * MEMORY_BATCH_SIZE)} records, RSS ${mb(before.rss)} → peak ${mb(peak.rss)}, heap used ${mb(before.heap)} → ${mb(peak.heap)} (${elapsed()})\n`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the ${format} memory child exited with ${code}`);
  return { baseline, invocations };
}

async function memory(): Promise<void> {
  console.log(
    `3. peak memory of an invocation, batches of ${fmt(MEMORY_BATCH_SIZE)} records on one shard until a 128 MiB file rolls: the writer runs in a child process (the bench bundled by esbuild, node --max-old-space-size=${LAMBDA_HEAP.oldSpaceMiB} --max-semi-space-size=${LAMBDA_HEAP.semiSpaceMiB} as for a 256 MB function), its object store (staged objects, parts, files) in this process, over IPC`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-writer-'));
  try {
    const bundle = bundled(dir);
    for (const format of ['json', 'parquet'] as const) {
      const { baseline, invocations } = await memoryOf(bundle, format);
      const roll = invocations.find((invocation) => invocation.files > 0);
      const others = invocations.filter((invocation) => invocation !== roll);
      const worst = others.reduce((a, b) => (b.peak.rss > a.peak.rss ? b : a));
      const median = [...others].sort((a, b) => a.peak.rss - b.peak.rss)[Math.floor(others.length / 2)] as InvocationMemory;
      const line = (label: string, invocation: InvocationMemory): string =>
        `     ${label.padEnd(30)} peak RSS ${mb(invocation.peak.rss).padStart(9)} (+${mb(invocation.peak.rss - invocation.before.rss)} during it), peak heap used ${mb(invocation.peak.heap).padStart(8)}, peak array buffers ${mb(invocation.peak.buffers)}`;
      console.log(`   ${format}: ${invocations.length} invocations; the child's RSS before its first batch ${mb(baseline.rss)} (heap used ${mb(baseline.heap)})`);
      console.log(line('median invocation', median));
      console.log(line(`largest other (#${worst.index + 1})`, worst));
      if (roll === undefined) {
        console.log('     no file rolled');
        continue;
      }
      const held = invocations[roll.index - 1]?.held ?? { objects: 0, parts: 0 };
      const verdict = Math.max(roll.peak.rss, worst.peak.rss) <= 256 * MIB ? 'met' : 'NOT met';
      console.log(`${line(`the roll (#${roll.index + 1}, ${roll.files} file)`, roll)}   goal ≤ 256 MB: ${verdict}`);
      console.log(`     held by the store in this process when the roll began: ${mb(held.objects)} of staged objects, ${mb(held.parts)} of uploaded parts (after it: ${mb(roll.held.objects)} of objects, the committed file included)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--memory-child')) await memoryChild(process.argv[process.argv.indexOf('--memory-child') + 1] as FileFormatName);
else {
  const only = numberOption('only', 0);
  console.log(`writer bench: default configuration (json unless said), ${fmt(STORES)} stores, Node ${process.version}`);
  if (only === 0 || only === 1) await throughput();
  if (only === 0 || only === 2) {
    console.log(`2. S3 and DynamoDB requests, default rolling policy (128 MiB / 30 min / 30 min), RAW_PREFIX_TEMPLATE (hourly event-time partitions), json, ${FOUR_SHARDS.length} shards, batches of ${fmt(BATCH_SIZE)} + a watermark, fake clock`);
    await requestRun(CHAIN_RATE);
    await requestRun(LOW_RATE);
  }
  if (only === 0 || only === 3) await memory();
  console.log(`total run time ${elapsed()}`);
}
