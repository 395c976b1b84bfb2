import { ConfigError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a required, non-empty variable. */
export function requireEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(name, 'is required and was not set');
  return value;
}

/** Reads an optional variable: undefined when unset or blank. */
export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Reads an optional positive number with a default, naming the variable when it is not one. */
export function numberEnv(env: Env, name: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = bounds;
  if (!Number.isFinite(value) || value < min || value > max) throw new ConfigError(name, `expected a number from ${min} to ${max}, got '${raw}'`);
  return value;
}

/** Reads an optional variable that must be one of `choices`. */
export function choiceEnv<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(name, `expected one of ${choices.join(', ')}, got '${raw}'`);
  return raw as T;
}

/** What every Kinesis-to-Kinesis stage is configured with. */
export interface StageConfig {
  /** Kinesis stream that receives the stage's records. */
  readonly outputStream: string;
  /** Bucket of the error output. */
  readonly errorBucket: string;
  /** Key prefix of the error output. @default 'data/stream_error_data/' */
  readonly errorPrefix: string;
  /** Larger input records are rejected as `oversize`. */
  readonly maxRecordBytes: number;
}

/**
 * Reads `OUTPUT_STREAM`, `ERROR_BUCKET`, `ERROR_PREFIX` and `MAX_RECORD_BYTES`.
 * @param maxRecordBytes - the stage's default for `MAX_RECORD_BYTES`
 */
export function loadStageConfig(env: Env, maxRecordBytes: number): StageConfig {
  return {
    outputStream: requireEnv(env, 'OUTPUT_STREAM'),
    errorBucket: requireEnv(env, 'ERROR_BUCKET'),
    errorPrefix: env.ERROR_PREFIX ?? 'data/stream_error_data/',
    maxRecordBytes: numberEnv(env, 'MAX_RECORD_BYTES', maxRecordBytes, { min: 1, max: 1_048_576 }),
  };
}

/** Configuration of the enrich stage. */
export interface EnrichConfig extends StageConfig {
  /** DynamoDB table of the product dimension. */
  readonly productsTable: string;
  /**
   * `full`: read the whole products table once per container and reload it after the TTL
   * (Flink's FULL lookup cache; right for a small dimension). `partial`: BatchGetItem the keys
   * a batch needs and cache them (Flink's PARTIAL; right for a large one). @default 'full'
   */
  readonly productCacheMode: 'full' | 'partial';
  /** How long products are served from a warm container's cache. @default 300 s */
  readonly productCacheTtlSeconds: number;
}

/**
 * Loads the enrich stage's configuration from its environment (set per function in
 * serverless.yml): `PRODUCTS_TABLE`, `OUTPUT_STREAM`, `ERROR_BUCKET`, `ERROR_PREFIX`,
 * `PRODUCT_CACHE_MODE`, `PRODUCT_CACHE_TTL_SECONDS`, `MAX_RECORD_BYTES`.
 */
export function loadEnrichConfig(env: Env = process.env): EnrichConfig {
  return {
    ...loadStageConfig(env, 65_536),
    productsTable: requireEnv(env, 'PRODUCTS_TABLE'),
    productCacheMode: choiceEnv(env, 'PRODUCT_CACHE_MODE', ['full', 'partial'] as const, 'full'),
    productCacheTtlSeconds: numberEnv(env, 'PRODUCT_CACHE_TTL_SECONDS', 300, { max: 86_400 }),
  };
}

/** Configuration of the dedupe stage. */
export interface DedupeConfig extends StageConfig {
  /** DynamoDB table of seen keys (`pk`, TTL on `expires_at`). */
  readonly seenTable: string;
  /** How long a primary key stays seen. @default 86,400 s (the stream's retention) */
  readonly horizonSeconds: number;
}

/**
 * Loads the dedupe stage's configuration: `SEEN_TABLE`, `DEDUPE_HORIZON_SECONDS` and the
 * {@link loadStageConfig} variables.
 */
export function loadDedupeConfig(env: Env = process.env): DedupeConfig {
  return {
    ...loadStageConfig(env, 1_048_576),
    seenTable: requireEnv(env, 'SEEN_TABLE'),
    horizonSeconds: numberEnv(env, 'DEDUPE_HORIZON_SECONDS', 86_400, { min: 1, max: 365 * 86_400 }),
  };
}

/** Configuration of the aggregate stage. */
export interface AggregateConfig extends StageConfig {
  /** The clean stream, whose open shards the watermark waits for. */
  readonly inputStream: string;
  /**
   * The raw and the enriched stream: every open pair of their shards is a path watermarks take,
   * waited for until it reports or stays silent for the idle timeout. Unset: only the paths
   * that have reported count, after the startup grace.
   */
  readonly sourceStreams: readonly [string, string] | undefined;
  /** DynamoDB table of window state (`pk`, `sk`, TTL on `expires_at`). */
  readonly stateTable: string;
  /** DynamoDB table of query results (`pk` query, `sk` window). */
  readonly resultsTable: string;
  /** Names of the queries to run. @default every shipped query */
  readonly queries: readonly string[] | undefined;
  /** A shard silent this long stops holding the watermark back. @default 60 s */
  readonly idleTimeoutSeconds: number;
  /** A firing claimed this long ago and not done is taken over. @default 120 s (over the function's timeout) */
  readonly firingTimeoutSeconds: number;
  /**
   * Nothing fires this long after the first batch, so every path's first watermark arrives: for
   * deployments without `SOURCE_STREAMS`, which cannot list the paths to wait for. @default 0
   */
  readonly startupGraceSeconds: number;
  /** Window state expires this long after its last write. @default 604,800 s (7 days) */
  readonly stateTtlSeconds: number;
}

/**
 * Loads the aggregate stage's configuration: `INPUT_STREAM`, `SOURCE_STREAMS` (raw,enriched), `STATE_TABLE`, `RESULTS_TABLE`, `QUERIES`
 * (comma-separated names), `IDLE_TIMEOUT_SECONDS`, `FIRING_TIMEOUT_SECONDS`, `STARTUP_GRACE_SECONDS`,
 * `STATE_TTL_SECONDS` and the {@link loadStageConfig} variables (`OUTPUT_STREAM` is the
 * aggregates stream).
 * @param known - the query names that exist, to check `QUERIES` against
 */
export function loadAggregateConfig(known: readonly string[], env: Env = process.env): AggregateConfig {
  const listed = env.QUERIES?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = listed?.filter((name) => !known.includes(name)) ?? [];
  if (unknown.length > 0) throw new ConfigError('QUERIES', `unknown quer${unknown.length === 1 ? 'y' : 'ies'} ${unknown.map((name) => `'${name}'`).join(', ')}; known: ${known.join(', ')}`);
  return {
    ...loadStageConfig(env, 1_048_576),
    inputStream: requireEnv(env, 'INPUT_STREAM'),
    sourceStreams: sourceStreamsEnv(env),
    stateTable: requireEnv(env, 'STATE_TABLE'),
    resultsTable: requireEnv(env, 'RESULTS_TABLE'),
    queries: listed === undefined || listed.length === 0 ? undefined : listed,
    idleTimeoutSeconds: numberEnv(env, 'IDLE_TIMEOUT_SECONDS', 60, { min: 0, max: 86_400 }),
    firingTimeoutSeconds: numberEnv(env, 'FIRING_TIMEOUT_SECONDS', 120, { min: 1, max: 86_400 }),
    startupGraceSeconds: numberEnv(env, 'STARTUP_GRACE_SECONDS', 0, { min: 0, max: 3_600 }),
    stateTtlSeconds: numberEnv(env, 'STATE_TTL_SECONDS', 7 * 86_400, { min: 3_600, max: 365 * 86_400 }),
  };
}

/** Reads `SOURCE_STREAMS`: the raw and the enriched stream, comma-separated, or undefined. */
export function sourceStreamsEnv(env: Env): readonly [string, string] | undefined {
  const raw = env.SOURCE_STREAMS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const names = raw.split(',').map((name) => name.trim());
  if (names.length !== 2 || names.some((name) => name === '')) throw new ConfigError('SOURCE_STREAMS', `expected the raw and the enriched stream, comma-separated, got '${raw}'`);
  return [names[0] as string, names[1] as string];
}
