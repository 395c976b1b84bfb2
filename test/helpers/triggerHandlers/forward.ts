// A test handler that forwards its batch to FORWARD_STREAM with PutRecords (an SDK client built
// once at module scope, as a real handler does), then appends what it saw to OUT_FILE.
import { appendFileSync } from 'node:fs';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context, KinesisStreamEvent } from 'aws-lambda';

const kinesis = new KinesisClient({ requestHandler: new NodeHttpHandler(), retryMode: 'standard', maxAttempts: 4 });

export const handler = async (event: KinesisStreamEvent, context: Context): Promise<{ failedRecordCount: number; attempts: number }> => {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: process.env.FORWARD_STREAM,
      Records: event.Records.map((record) => ({ Data: Buffer.from(record.kinesis.data, 'base64'), PartitionKey: record.kinesis.partitionKey })),
    }),
  );
  const line = {
    requestId: context.awsRequestId,
    seqs: event.Records.map((record) => record.kinesis.sequenceNumber),
    failedRecordCount: out.FailedRecordCount ?? 0,
    errorCodes: (out.Records ?? []).map((entry) => entry.ErrorCode ?? null),
    attempts: out.$metadata.attempts ?? 1,
  };
  appendFileSync(String(process.env.OUT_FILE), `${JSON.stringify(line)}\n`);
  return { failedRecordCount: line.failedRecordCount, attempts: line.attempts };
};
