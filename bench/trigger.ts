// Overhead of the local Kinesis trigger against a bare GetRecords loop over the same records.
// Run: npx tsx bench/trigger.ts [records] [shards]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../shared/adapters/clients.js';
import { freePort } from '../local/stack/emulators.js';
import { stackEnv, startStack } from '../local/stack/stack.js';
import type { ServerlessModel } from '../local/serverlessModel.js';
import { startTrigger } from '../local/trigger/index.js';
import { sleep } from '../shared/retry.js';

const total = Number(process.argv[2] ?? 20_000);
const shards = Number(process.argv[3] ?? 4);
const region = 'ap-northeast-2';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const stack = await startStack({ persist: false, dataDir: '', region, ports: { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() } });
Object.assign(process.env, stackEnv(stack.endpoints, region));
const kinesis = createKinesisClient();
const streamName = 'bench-trigger';
await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
while ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') await sleep(20);
const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
const streamArn = summary.StreamDescriptionSummary?.StreamARN ?? '';

const payload = (index: number): Uint8Array =>
  Buffer.from(JSON.stringify({ store_cd: '12345', receipt: index, product_cd: `P${index % 500}`, qty: 1 + (index % 3), amount: 1200 + (index % 17) * 100, sold_at: '2015-01-01T09:00:00+09:00' }));
let putStarted = performance.now();
for (let i = 0; i < total; i += 500) {
  const entries = Array.from({ length: Math.min(500, total - i) }, (_, k) => ({ Data: payload(i + k), PartitionKey: `key-${(i + k) % 997}` }));
  const out = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
  if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
}
const putMs = performance.now() - putStarted;

// (a) A bare GetRecords loop per shard, shards in parallel.
const bareStarted = performance.now();
const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
const counts = await Promise.all(
  Shards.map(async (shard) => {
    let { ShardIterator: iterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    let count = 0;
    for (;;) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      count += out.Records?.length ?? 0;
      iterator = out.NextShardIterator;
      if ((out.Records?.length ?? 0) === 0) break;
    }
    return count;
  }),
);
const bareMs = performance.now() - bareStarted;
const bareCount = counts.reduce((a, b) => a + b, 0);

// (b) The trigger delivering every record to a no-op handler, batchSize 500.
const stateDir = await mkdtemp(join(tmpdir(), 'eddy-bench-'));
const model: ServerlessModel = {
  service: 'eddy',
  stage: 'bench',
  region,
  accountId: '000000000000',
  streams: [],
  tables: [],
  buckets: [],
  functions: [
    {
      key: 'noop',
      name: 'eddy-bench-noop',
      handler: 'test/helpers/triggerHandlers/noop.handler',
      timeoutSeconds: 60,
      memorySize: 1024,
      environment: {},
      schedules: [],
      httpEvents: [],
      streamEvents: [
        { streamName, streamArn, batchSize: 500, batchWindowSeconds: 0, startingPosition: 'TRIM_HORIZON', parallelizationFactor: 1, maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, bisectBatchOnFunctionError: false, reportBatchItemFailures: false, enabled: true },
      ],
    },
  ],
};
let delivered = 0;
let invocations = 0;
let allDelivered: () => void = () => undefined;
const done = new Promise<void>((resolve) => (allDelivered = resolve));
let firstInvokeAt = 0;
let warmAt = 0;
const triggerStarted = performance.now();
const trigger = await startTrigger({
  model,
  stateDir,
  // One warm environment per shard (provisioned concurrency); its init overlaps the stream setup.
  prewarm: shards,
  onInvoke: () => {
    if (firstInvokeAt === 0) firstInvokeAt = performance.now();
  },
  onBatchResult: (result) => {
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${result.shardId} ${result.records} ${result.millis}ms cold=${result.cold} t=${(performance.now() - triggerStarted).toFixed(0)}\n`);
    invocations++;
    if (result.status === 'ok') delivered += result.records;
    if (delivered >= total) allDelivered();
  },
  onWarm: () => (warmAt = performance.now()),
});
await done;
const doneAt = performance.now();
const triggerMs = doneAt - triggerStarted;
const deliveryMs = doneAt - warmAt;
await trigger.stop();

process.stdout.write(
  [
    `records: ${total} on ${shards} shards (put in ${putMs.toFixed(0)} ms)`,
    `bare GetRecords loop: ${bareCount} records in ${bareMs.toFixed(0)} ms`,
    `trigger (no-op handler, batchSize 500): ${delivered} records in ${invocations} invocations in ${triggerMs.toFixed(0)} ms (from startTrigger, incl. worker init)`,
    `  of which the init of ${shards} provisioned environments (worker thread, tsx, handler module): ${(warmAt - triggerStarted).toFixed(0)} ms`,
    `  delivery once warm (ListShards, iterators, GetRecords, ${invocations} invocations): ${deliveryMs.toFixed(0)} ms; first invocation after ${(firstInvokeAt - warmAt).toFixed(0)} ms`,
    `overhead ratio, warm delivery / bare loop: ${(deliveryMs / bareMs).toFixed(2)}×   goal ≤ 1.20×`,
    `overhead ratio, including cold init:       ${(triggerMs / bareMs).toFixed(2)}×`,
    '',
  ].join('\n'),
);
kinesis.destroy();
await rm(stateDir, { recursive: true, force: true });
await stack.stop();
