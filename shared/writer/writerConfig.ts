/**
 * The S3 writer's configuration, from its function's environment (set per writer in
 * serverless.yml). Every value is checked at load, naming the variable that is wrong.
 */
import { choiceEnv, numberEnv, optionalEnv, requireEnv, sourceStreamsEnv } from '../config.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_SWEEP_QUIET_MS } from '../operators/s3Writer.js';
import { isCommittedKey } from '../lake/committedKey.js';
import { ERROR_PREFIX } from '../lake/layout.js';
import { DEFAULT_EVENT_TIME_FIELD, parsePrefix, RAW_PREFIX_TEMPLATE, type PrefixTemplate } from '../lake/prefixExpressions.js';
import { FILE_FORMATS, type FileFormatName } from './formats.js';
import { COMMIT_TRIGGERS, type CommitTrigger } from './partitionCommit.js';
import { rollingPolicy, type RollingPolicy } from './rollingPolicy.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Configuration of one S3 writer. */
export interface WriterConfig {
  /** The stream it reads (its open shards bound the watermark). */
  readonly inputStream: string;
  /** Names its state and staged objects. @default the input stream's name */
  readonly writerName: string;
  /** DynamoDB table of writer state (`pk`, `sk`). */
  readonly stateTable: string;
  readonly bucket: string;
  /** Where files go. @default RAW_PREFIX_TEMPLATE (raw records by event hour) */
  readonly prefix: PrefixTemplate;
  readonly errorBucket: string;
  /** @default 'data/stream_error_data/' */
  readonly errorPrefix: string;
  /** @default 'json' */
  readonly format: FileFormatName;
  readonly policy: RollingPolicy;
  /** @default 'partition-time' */
  readonly commitTrigger: CommitTrigger;
  /** @default 0 */
  readonly commitDelaySeconds: number;
  /** @default 'tr_datetime' */
  readonly eventTimeField: string;
  /** @default 'none' */
  readonly eventTimeFallback: 'none' | 'arrival';
  /** @default 5 */
  readonly outOfOrdernessSeconds: number;
  /** The raw and enriched streams, whose shard pairs are the watermark paths to wait for. */
  readonly sourceStreams: readonly [string, string] | undefined;
  /** @default 60 */
  readonly idleTimeoutSeconds: number;
  /** @default 0 */
  readonly startupGraceSeconds: number;
  /** The sweep settles only shards quiet this long. @default 60 */
  readonly sweepQuietSeconds: number;
  /** @default '_eddy/in-progress/' */
  readonly stagingPrefix: string;
  /** @default 200 */
  readonly maxOpenFiles: number;
  /** @default 100 */
  readonly maxSegmentsPerFile: number;
  /** @default 1 MiB */
  readonly maxRecordBytes: number;
}

const ROLLING_KEYS = {
  fileSizeMiB: 'FILE_SIZE_MIB',
  rolloverIntervalSeconds: 'ROLLOVER_INTERVAL_SECONDS',
  inactivityIntervalSeconds: 'INACTIVITY_INTERVAL_SECONDS',
  bufferSizeMiB: 'BUFFER_SIZE_MIB',
  bufferIntervalSeconds: 'BUFFER_INTERVAL_SECONDS',
} as const;

const optionalNumber = (env: Env, name: string): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigError(name, `expected a number, got '${raw}'`);
  return value;
};

/**
 * Loads an S3 writer's configuration: `INPUT_STREAM`, `WRITER_NAME`, `STATE_TABLE`, `BUCKET`,
 * `PREFIX`, `ERROR_BUCKET`, `ERROR_PREFIX`, `FORMAT`, the rolling policy (`FILE_SIZE_MIB`,
 * `ROLLOVER_INTERVAL_SECONDS`, `INACTIVITY_INTERVAL_SECONDS`, or Firehose's `BUFFER_SIZE_MIB`
 * and `BUFFER_INTERVAL_SECONDS`), `PARTITION_COMMIT_TRIGGER`, `PARTITION_COMMIT_DELAY_SECONDS`,
 * `EVENT_TIME_FIELD`, `EVENT_TIME_FALLBACK`, `OUT_OF_ORDERNESS_SECONDS`, `SOURCE_STREAMS`,
 * `IDLE_TIMEOUT_SECONDS`, `STARTUP_GRACE_SECONDS`, `SWEEP_QUIET_SECONDS`, `STAGING_PREFIX`, `MAX_OPEN_FILES`,
 * `MAX_SEGMENTS_PER_FILE`, `MAX_RECORD_BYTES`.
 */
export function loadWriterConfig(env: Env = process.env): WriterConfig {
  const inputStream = requireEnv(env, 'INPUT_STREAM');
  const bucket = requireEnv(env, 'BUCKET');
  const stagingPrefix = optionalEnv(env, 'STAGING_PREFIX') ?? '_eddy/in-progress/';
  if (!stagingPrefix.endsWith('/') || isCommittedKey(`${stagingPrefix}x`)) throw new ConfigError('STAGING_PREFIX', `must end with '/' and have a segment starting with '_' or '.' (so readers skip it), got '${stagingPrefix}'`);
  const eventTimeField = optionalEnv(env, 'EVENT_TIME_FIELD') ?? DEFAULT_EVENT_TIME_FIELD;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(eventTimeField)) throw new ConfigError('EVENT_TIME_FIELD', `expected a field name, got '${eventTimeField}'`);
  return {
    inputStream,
    writerName: optionalEnv(env, 'WRITER_NAME') ?? inputStream,
    stateTable: requireEnv(env, 'STATE_TABLE'),
    bucket,
    prefix: parsePrefix(optionalEnv(env, 'PREFIX') ?? RAW_PREFIX_TEMPLATE, 'PREFIX'),
    errorBucket: optionalEnv(env, 'ERROR_BUCKET') ?? bucket,
    errorPrefix: optionalEnv(env, 'ERROR_PREFIX') ?? ERROR_PREFIX,
    format: choiceEnv(env, 'FORMAT', FILE_FORMATS, 'json'),
    policy: rollingPolicy(
      Object.fromEntries(Object.entries(ROLLING_KEYS).flatMap(([option, name]) => {
        const value = optionalNumber(env, name);
        return value === undefined ? [] : [[option, value]];
      })),
      ROLLING_KEYS,
    ),
    commitTrigger: choiceEnv(env, 'PARTITION_COMMIT_TRIGGER', COMMIT_TRIGGERS, 'partition-time'),
    commitDelaySeconds: numberEnv(env, 'PARTITION_COMMIT_DELAY_SECONDS', 0, { min: 0, max: 30 * 86_400 }),
    eventTimeField,
    eventTimeFallback: choiceEnv(env, 'EVENT_TIME_FALLBACK', ['none', 'arrival'] as const, 'none'),
    outOfOrdernessSeconds: numberEnv(env, 'OUT_OF_ORDERNESS_SECONDS', 5, { min: 0, max: 86_400 }),
    sourceStreams: sourceStreamsEnv(env),
    idleTimeoutSeconds: numberEnv(env, 'IDLE_TIMEOUT_SECONDS', 60, { min: 0, max: 86_400 }),
    startupGraceSeconds: numberEnv(env, 'STARTUP_GRACE_SECONDS', 0, { min: 0, max: 3_600 }),
    sweepQuietSeconds: numberEnv(env, 'SWEEP_QUIET_SECONDS', DEFAULT_SWEEP_QUIET_MS / 1000, { min: 0, max: 86_400 }),
    stagingPrefix,
    maxOpenFiles: numberEnv(env, 'MAX_OPEN_FILES', 200, { min: 1, max: 2_000 }),
    maxSegmentsPerFile: numberEnv(env, 'MAX_SEGMENTS_PER_FILE', 100, { min: 1, max: 2_000 }),
    maxRecordBytes: numberEnv(env, 'MAX_RECORD_BYTES', 1_048_576, { min: 1, max: 1_048_576 }),
  };
}
