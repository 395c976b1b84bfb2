// A test handler that appends what it saw to OUT_FILE (one JSON line per invocation) and
// misbehaves on demand, driven by its environment:
//   POISON=<data>       throw when the batch holds a record with this data
//   FAIL_ONCE=<data>    report that record in batchItemFailures the first time it is seen
//   BAD_ITEM=1          report an itemIdentifier that is not in the batch
//   THROW=1             always throw
//   SLEEP_MS=<n>        sleep before returning
import { appendFileSync } from 'node:fs';
import { resourceLimits } from 'node:worker_threads';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';

const seen = new Set<string>();
const coldAt = Date.now();

export const handler = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse | undefined> => {
  const records = event.Records.map((record) => ({
    seq: record.kinesis.sequenceNumber,
    pk: record.kinesis.partitionKey,
    data: Buffer.from(record.kinesis.data, 'base64').toString('utf8'),
  }));
  const line = {
    requestId: context.awsRequestId,
    functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
    mark: process.env.MARK,
    heap: { young: resourceLimits.maxYoungGenerationSizeMb, old: resourceLimits.maxOldGenerationSizeMb },
    coldAt,
    startedAt: Date.now(),
    records,
    event,
  };
  appendFileSync(String(process.env.OUT_FILE), `${JSON.stringify(line)}\n`);
  if (process.env.SLEEP_MS) await new Promise((resolve) => setTimeout(resolve, Number(process.env.SLEEP_MS)));
  if (process.env.THROW === '1') throw new Error('handler always fails');
  if (process.env.POISON && records.some((record) => record.data === process.env.POISON)) throw new Error(`poison record in batch`);
  if (process.env.BAD_ITEM === '1') return { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] };
  const failing = records.filter((record) => record.data === process.env.FAIL_ONCE && !seen.has(record.seq));
  for (const record of failing) seen.add(record.seq);
  return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.seq })) };
};
