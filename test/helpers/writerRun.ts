import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { gunzipSync } from 'node:zlib';
import { DynamoDBAggregateStateStore } from '../../shared/adapters/DynamoDBAggregateStateStore.js';
import { DynamoDBWriterStateStore } from '../../shared/adapters/DynamoDBWriterStateStore.js';
import { S3ErrorSink } from '../../shared/adapters/S3ErrorSink.js';
import { S3ObjectStore } from '../../shared/adapters/S3ObjectStore.js';
import { eventTimeOf, formatLocal } from '../../shared/aggregate/eventTime.js';
import { isCommittedKey } from '../../shared/lake/committedKey.js';
import { parsePrefix } from '../../shared/lake/prefixExpressions.js';
import { createS3Writer, createWriterSweep, type WriterDeps, type WriterInput, type WriterOutcome } from '../../shared/operators/s3Writer.js';
import type { CommitCounts } from '../../shared/operators/writerCommits.js';
import type { Decoded } from '../../shared/stage/decode.js';
import { fileFormat, type FileFormatName } from '../../shared/writer/formats.js';
import { FLINK_DEFAULTS, type RollingPolicy } from '../../shared/writer/rollingPolicy.js';
import { createDynamoDBDocumentClient, createS3Client } from '../../shared/adapters/clients.js';
import { createTestBucket, createTestTable, uniqueName } from './stack.js';

/** A fault injected into a client: thrown before or after the n-th call (of the kinds counted) reaches the service. */
export interface CrashPlan {
  countdown: number;
  readonly after: boolean;
}

/** Thrown by an injected crash. */
export class Crash extends Error {}

/**
 * Wraps a client so that its `send` crashes at the planned call. Calls are counted across every
 * wrapped client sharing the plan, so one countdown walks through S3 and DynamoDB calls alike.
 */
export function crashing<C extends { send: (...args: never[]) => unknown }>(client: C, plan: CrashPlan | undefined, calls: string[]): C {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { constructor: { name: string } }) => {
        calls.push(command.constructor.name);
        if (plan !== undefined && --plan.countdown === 0) {
          if (plan.after) await send(command);
          throw new Crash(`crash ${plan.after ? 'after' : 'before'} ${command.constructor.name}`);
        }
        return send(command);
      };
    },
  }) as C;
}

/**
 * Wraps an S3 client so that every `UploadPart` it sends is recorded by object key: the size of
 * each part by part number, what S3 checks when the upload is completed (and the emulator does not).
 */
function recordingParts(client: S3Client, parts: Map<string, Map<number, number>>): S3Client {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown) => {
        if (command instanceof UploadPartCommand) {
          const { Key, PartNumber, Body } = command.input;
          const sizes = parts.get(Key ?? '') ?? new Map<number, number>();
          sizes.set(PartNumber ?? 0, Body instanceof Uint8Array ? Body.byteLength : -1);
          parts.set(Key ?? '', sizes);
        }
        return send(command);
      };
    },
  });
}

/** Options of {@link createWriterRun}. */
export interface WriterRunOptions {
  readonly s3: S3Client;
  readonly documents: DynamoDBDocumentClient;
  readonly bucket: string;
  readonly table: string;
  readonly shards: readonly string[];
  readonly format?: FileFormatName;
  readonly policy?: Partial<RollingPolicy>;
  readonly commit?: WriterDeps['commit'];
  /** The prefix template, or a function of the run's data prefix giving it. @default by event hour under the data prefix */
  readonly template?: string | ((dataPrefix: string) => string);
  readonly clock?: () => number;
  /** The sweep leaves shards active more recently than this alone. @default the writer's (60 s) */
  readonly sweepQuietMs?: number;
  readonly plan?: CrashPlan;
  readonly caps?: WriterDeps['caps'];
}

/** A writer wired to the local stack, with its calls recorded. */
export interface WriterRun {
  readonly writer: string;
  readonly dataPrefix: string;
  readonly write: (batch: readonly Decoded<WriterInput>[]) => Promise<WriterOutcome>;
  /** The scheduled sweep (`rate(1 minute)` on Lambda): settles every shard without a batch. */
  readonly sweep: () => Promise<CommitCounts>;
  readonly calls: string[];
  readonly objects: S3ObjectStore;
  /** Where its staged objects live: `_eddy/in-progress/<writer>/`. */
  readonly stagingPrefix: string;
  /** The parts uploaded for each object key: size by part number. */
  readonly parts: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

/** The clients, bucket and state table a writer test file shares. */
export interface WriterStack {
  readonly s3: S3Client;
  readonly documents: DynamoDBDocumentClient;
  readonly bucket: string;
  readonly table: string;
}

/** Creates a writer test file's bucket (named from `name`) and state table on the local stack. */
export async function createWriterStack(name: string): Promise<WriterStack> {
  const s3 = createS3Client();
  const documents = createDynamoDBDocumentClient();
  const bucket = uniqueName(name);
  await createTestBucket(s3, bucket);
  const table = uniqueName('writer');
  await createTestTable(documents as unknown as DynamoDBClient, table, 'pk', 'sk');
  return { s3, documents, bucket, table };
}

/** An S3 writer on the local stack under a prefix of its own (`data/<writer>/…` by event hour unless `template`). */
export function createWriterRun(options: WriterRunOptions): WriterRun {
  const writer = uniqueName('w');
  const dataPrefix = `data/${writer}/`;
  const calls: string[] = [];
  const parts = new Map<string, Map<number, number>>();
  const s3 = crashing(recordingParts(options.s3, parts), options.plan, calls);
  const documents = crashing(options.documents, options.plan, calls);
  const objects = new S3ObjectStore(s3, options.bucket);
  const template = typeof options.template === 'function' ? options.template(dataPrefix) : options.template ?? `${dataPrefix}year=!{event_time:yyyy}/month=!{event_time:MM}/day=!{event_time:dd}/hour=!{event_time:HH}/`;
  const deps: WriterDeps = {
    writer,
    placement: { template: parsePrefix(template), eventTimeField: 'tr_datetime', eventTimeFallback: 'none' },
    format: fileFormat(options.format ?? 'json'),
    policy: { ...FLINK_DEFAULTS, ...options.policy },
    caps: options.caps ?? { maxOpenFiles: 200, maxSegmentsPerFile: 100 },
    commit: options.commit ?? { trigger: 'partition-time', delayMs: 0 },
    stagingPrefix: `_eddy/in-progress/`,
    outOfOrdernessMs: 0,
    files: new DynamoDBWriterStateStore(documents, options.table, writer),
    objects,
    errors: new S3ErrorSink(s3, options.bucket, `${dataPrefix}errors/`),
    watermark: {
      state: new DynamoDBAggregateStateStore(documents, options.table, { pipelinePartitionKey: `pipeline#${writer}` }),
      shards: { openShards: async () => options.shards, parentsOf: async () => [] },
      idleTimeoutMs: 3_600_000,
      startupGraceMs: 0,
    },
    clock: options.clock ?? Date.now,
    ...(options.sweepQuietMs === undefined ? {} : { sweepQuietMs: options.sweepQuietMs }),
  };
  return { writer, dataPrefix, write: createS3Writer(deps), sweep: createWriterSweep(deps), calls, objects, stagingPrefix: `_eddy/in-progress/${writer}/`, parts };
}

let sequence = 0n;

/** A batch as the stage decodes it: records and control records of one shard, with increasing sequence numbers. */
export function writerBatch(shard: string, values: readonly WriterInput[], arrivalTimestamp = Date.UTC(2026, 0, 1)): Decoded<WriterInput>[] {
  return values.map((value) => {
    sequence += 1n;
    const bytes = Buffer.from(JSON.stringify(value));
    return { value, origin: { stream: 'input', shard, seq: String(49_000_000_000_000_000_000n + sequence), partitionKey: 'k', arrivalTimestamp, bytes } };
  });
}

/** A watermark control record for path `source`. */
export const watermark = (source: string, at: string): WriterInput => ({ eddy_control: 'watermark', source, max_event_time: eventTimeOf(at) as number });

/** A final watermark. */
export const FINAL: WriterInput = { eddy_control: 'final_watermark' };

/** `count` records from `start`, `stepMs` apart, each with an id and `padding` bytes of filler. */
export function records(prefix: string, count: number, start: string, stepMs: number, padding = 0): Record<string, unknown>[] {
  const from = eventTimeOf(start) as number;
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, tr_datetime: formatLocal(from + i * stepMs), mount: 1000 + i, pad: 'x'.repeat(padding) }));
}

/** Every object under a prefix: key and bytes. */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, Buffer>> {
  const objects = new Map<string, Buffer>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      if (Key === undefined) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      objects.set(Key, Buffer.from((await body.Body?.transformToByteArray()) ?? []));
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** The records of a committed JSON-lines (or gzip) file. */
export const linesOf = (key: string, bytes: Buffer): Record<string, unknown>[] =>
  (key.endsWith('.gz') ? gunzipSync(bytes) : bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** What readers see under a writer's data prefix: its committed data files (not the error output), their records, and the `_SUCCESS` markers (relative keys). */
export interface CommittedView {
  readonly files: ReadonlyMap<string, Buffer>;
  readonly records: readonly Record<string, unknown>[];
  /** The records' ids, sorted. */
  readonly ids: readonly string[];
  readonly markers: readonly string[];
}

/** Lists what readers see under a data prefix (JSON-lines and gzip files). */
export async function committedView(s3: S3Client, bucket: string, dataPrefix: string): Promise<CommittedView> {
  const objects = await listObjects(s3, bucket, dataPrefix);
  const files = new Map([...objects].filter(([key]) => isCommittedKey(key) && !key.startsWith(`${dataPrefix}errors/`)));
  const records = [...files].flatMap(([key, bytes]) => (key.endsWith('.parquet') ? [] : linesOf(key, bytes)));
  const ids = records.map((record) => String(record.id)).sort();
  const markers = [...objects.keys()].filter((key) => key.endsWith('/_SUCCESS')).map((key) => key.slice(dataPrefix.length)).sort();
  return { files, records, ids, markers };
}
