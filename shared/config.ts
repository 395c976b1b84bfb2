import { ConfigError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a required, non-empty variable. */
export function requireEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(name, 'is required and was not set');
  return value;
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
