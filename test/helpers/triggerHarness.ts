import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { FunctionModel, ServerlessModel, StreamEventSettings } from '../../local/serverlessModel.js';
import { startTrigger, type Trigger, type TriggerOptions } from '../../local/trigger/index.js';
import type { FailureRecord } from '../../local/trigger/onFailure.js';
import { createTestBucket, createTestStream, uniqueName } from './stack.js';

/** What the recorder handler appends per invocation. */
export interface RecordedInvocation {
  readonly requestId: string;
  readonly functionName: string;
  readonly remaining: number;
  readonly mark?: string;
  /** The handler's V8 heap limits (MB), as its worker thread sees them. */
  readonly heap: { readonly young?: number; readonly old?: number };
  readonly coldAt: number;
  readonly startedAt: number;
  readonly records: { seq: string; pk: string; data: string }[];
  readonly event: { Records: Record<string, unknown>[] };
}

/** Options of {@link triggerFixture}. */
export interface FixtureOptions {
  readonly handler?: string;
  readonly shards?: number;
  readonly settings?: Partial<StreamEventSettings>;
  readonly environment?: Record<string, string>;
  readonly timeoutSeconds?: number;
  /** Also create a destination bucket. */
  readonly bucket?: boolean;
}

/** A stream, a function reading it, and helpers to put records and read what the handler saw. */
export interface TriggerFixture {
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly streamName: string;
  readonly streamArn: string;
  readonly bucket: string;
  readonly outFile: string;
  readonly stateDir: string;
  readonly model: ServerlessModel;
  /** Puts records (data, partition key) in order, one PutRecords per 500. */
  put(records: readonly { data: string; key: string }[]): Promise<string[]>;
  /** The invocations the handler recorded so far. */
  invocations(): Promise<RecordedInvocation[]>;
  /** Failure records in the destination bucket. */
  failureRecords(): Promise<{ key: string; record: FailureRecord }[]>;
  start(options?: Partial<TriggerOptions>): Promise<Trigger>;
}

/** Fast timings for tests. */
export const FAST = { pollIntervalMs: 100, discoveryIntervalMs: 200, retryBackoffMs: 10 } as const;

const settingsFor = (streamName: string, streamArn: string, overrides: Partial<StreamEventSettings>): StreamEventSettings => ({
  streamName,
  streamArn,
  batchSize: 100,
  batchWindowSeconds: 0,
  startingPosition: 'TRIM_HORIZON',
  parallelizationFactor: 1,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  bisectBatchOnFunctionError: false,
  reportBatchItemFailures: false,
  enabled: true,
  ...overrides,
});

/** Creates a stream (and a bucket), a temp state dir and a one-function model. */
export async function triggerFixture(options: FixtureOptions = {}): Promise<TriggerFixture> {
  const requestHandler = new NodeHttpHandler();
  const kinesis = new KinesisClient({ requestHandler });
  const s3 = new S3Client({ requestHandler, forcePathStyle: true });
  const streamName = uniqueName('trigger');
  const streamArn = await createTestStream(kinesis, streamName, options.shards ?? 1);
  const bucket = uniqueName('trigger-dest');
  if (options.bucket) await createTestBucket(s3, bucket);
  const dir = await mkdtemp(join(tmpdir(), 'eddy-trigger-'));
  const outFile = join(dir, 'out.jsonl');
  const stateDir = join(dir, 'state');
  const settings = settingsFor(streamName, streamArn, {
    ...(options.bucket ? { onFailure: { type: 's3', arn: `arn:aws:s3:::${bucket}`, bucket } } : {}),
    ...options.settings,
  });
  const fn: FunctionModel = {
    key: 'subject',
    name: `eddy-test-${streamName}`,
    handler: options.handler ?? 'test/helpers/triggerHandlers/recorder.handler',
    timeoutSeconds: options.timeoutSeconds ?? 10,
    memorySize: 256,
    environment: { OUT_FILE: outFile, ...options.environment },
    streamEvents: [settings],
    schedules: [],
    httpEvents: [],
  };
  const model: ServerlessModel = { service: 'eddy', stage: 'test', region: process.env.AWS_REGION ?? 'ap-northeast-2', accountId: '000000000000', streams: [], tables: [], buckets: [], functions: [fn] };
  return {
    kinesis,
    s3,
    streamName,
    streamArn,
    bucket,
    outFile,
    stateDir,
    model,
    async put(records) {
      const seqs: string[] = [];
      for (let i = 0; i < records.length; i += 500) {
        const out = await kinesis.send(
          new PutRecordsCommand({ StreamName: streamName, Records: records.slice(i, i + 500).map((record) => ({ Data: Buffer.from(record.data), PartitionKey: record.key })) }),
        );
        seqs.push(...(out.Records ?? []).map((entry) => entry.SequenceNumber ?? ''));
      }
      return seqs;
    },
    async invocations() {
      const text = await readFile(outFile, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordedInvocation);
    },
    async failureRecords() {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return Promise.all(
        (listed.Contents ?? []).map(async ({ Key }) => {
          const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
          return { key: Key ?? '', record: JSON.parse(await (object.Body?.transformToString() ?? '{}')) as FailureRecord };
        }),
      );
    },
    start: (extra = {}) => startTrigger({ model, stateDir, ...FAST, ...extra }),
  };
}

/** `count` records `prefix-0`… spread over `keys` partition keys. */
export const records = (count: number, prefix = 'r', keys = 1): { data: string; key: string }[] =>
  Array.from({ length: count }, (_, index) => ({ data: `${prefix}-${index}`, key: `key-${index % keys}` }));
