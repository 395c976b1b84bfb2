import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import { parsePrefix, RAW_PREFIX_TEMPLATE } from '../../../shared/lake/prefixExpressions.js';
import { FLINK_DEFAULTS } from '../../../shared/writer/rollingPolicy.js';
import { loadWriterConfig } from '../../../shared/writer/writerConfig.js';

const REQUIRED = { INPUT_STREAM: 'clean', BUCKET: 'lake', STATE_TABLE: 'writer-state' } as const;
const MIB = 1024 * 1024;

/** The ConfigError `loadWriterConfig` throws for `env`, or fails. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadWriterConfig({ ...REQUIRED, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

describe('Writer: configuration', () => {
  it('defaults to JSON lines of raw records by event hour, Flink’s rolling policy and a partition-time commit', () => {
    expect(loadWriterConfig(REQUIRED)).toEqual({
      inputStream: 'clean',
      writerName: 'clean',
      stateTable: 'writer-state',
      bucket: 'lake',
      prefix: parsePrefix(RAW_PREFIX_TEMPLATE, 'PREFIX'),
      errorBucket: 'lake',
      errorPrefix: 'data/stream_error_data/',
      format: 'json',
      policy: FLINK_DEFAULTS,
      commitTrigger: 'partition-time',
      commitDelaySeconds: 0,
      eventTimeField: 'tr_datetime',
      eventTimeFallback: 'none',
      outOfOrdernessSeconds: 5,
      sourceStreams: undefined,
      idleTimeoutSeconds: 60,
      startupGraceSeconds: 0,
      sweepQuietSeconds: 60,
      stagingPrefix: '_eddy/in-progress/',
      maxOpenFiles: 200,
      maxSegmentsPerFile: 100,
      maxRecordBytes: 1_048_576,
    });
  });

  it('reads every option it is given', () => {
    const config = loadWriterConfig({
      ...REQUIRED,
      WRITER_NAME: 'oceanus',
      PREFIX: 'data/oceanus/f_sequence=!{field:f_sequence}/',
      FORMAT: 'parquet',
      BUFFER_SIZE_MIB: '64',
      BUFFER_INTERVAL_SECONDS: '60',
      PARTITION_COMMIT_TRIGGER: 'process-time',
      PARTITION_COMMIT_DELAY_SECONDS: '600',
      STAGING_PREFIX: 'tmp/.staging/',
    });
    expect(config).toMatchObject({
      writerName: 'oceanus',
      prefix: { source: 'data/oceanus/f_sequence=!{field:f_sequence}/' },
      format: 'parquet',
      policy: { fileSizeBytes: 64 * MIB, rolloverIntervalMs: 60_000, inactivityIntervalMs: 60_000 },
      commitTrigger: 'process-time',
      commitDelaySeconds: 600,
      stagingPrefix: 'tmp/.staging/',
    });
  });

  it('takes an empty WRITER_NAME, PREFIX, ERROR_BUCKET or ERROR_PREFIX as unset, as it takes an empty FORMAT or FILE_SIZE_MIB', () => {
    const empty = { WRITER_NAME: '', PREFIX: '', ERROR_BUCKET: '', ERROR_PREFIX: '', FORMAT: '', FILE_SIZE_MIB: '' };
    expect(loadWriterConfig({ ...REQUIRED, ...empty })).toEqual(loadWriterConfig(REQUIRED));
  });

  it('names the variable of a missing required value', () => {
    expect(() => loadWriterConfig({ BUCKET: 'lake', STATE_TABLE: 't' })).toThrow(/^INPUT_STREAM: is required/);
    expect(configError({ STATE_TABLE: ' ' }).key).toBe('STATE_TABLE');
  });

  it('reads SWEEP_QUIET_SECONDS and refuses a negative or non-numeric one, naming it', () => {
    expect(loadWriterConfig({ INPUT_STREAM: 'clean', BUCKET: 'lake', STATE_TABLE: 't', SWEEP_QUIET_SECONDS: '0' }).sweepQuietSeconds).toBe(0);
    expect(configError({ SWEEP_QUIET_SECONDS: '-1' }).key).toBe('SWEEP_QUIET_SECONDS');
    expect(configError({ SWEEP_QUIET_SECONDS: 'soon' }).key).toBe('SWEEP_QUIET_SECONDS');
  });

  it('refuses an unknown FORMAT, listing the formats', () => {
    const error = configError({ FORMAT: 'csv' });
    expect(error.key).toBe('FORMAT');
    expect(error.message).toBe("FORMAT: expected one of json, gzip, parquet, got 'csv'");
  });

  it('refuses a bad PREFIX, naming the expression at fault', () => {
    const unknown = configError({ PREFIX: 'data/!{partitionKeyFromQuery:store}/' });
    expect(unknown.key).toBe('PREFIX');
    expect(unknown.message).toMatch(/^PREFIX: unknown namespace "partitionKeyFromQuery"/);
    expect(configError({ PREFIX: 'data/year=!{event_time:yyyy/' }).message).toMatch(/^PREFIX: unterminated expression/);
    expect(configError({ PREFIX: '/data/' }).key).toBe('PREFIX');
  });

  it('refuses Flink rolling options mixed with Firehose buffering hints, naming both styles', () => {
    const error = configError({ FILE_SIZE_MIB: '64', BUFFER_INTERVAL_SECONDS: '60' });
    expect(error.key).toBe('BUFFER_SIZE_MIB/BUFFER_INTERVAL_SECONDS');
    expect(error.message).toMatch(/FILE_SIZE_MIB, ROLLOVER_INTERVAL_SECONDS and INACTIVITY_INTERVAL_SECONDS: set one style only$/);
  });

  it('refuses BUFFER_SIZE_MIB outside Firehose’s 1–128 MiB, and a rolling option that is not a number', () => {
    for (const size of ['0', '129', '-5']) {
      const error = configError({ BUFFER_SIZE_MIB: size });
      expect(error.key).toBe('BUFFER_SIZE_MIB');
      expect(error.message).toBe(`BUFFER_SIZE_MIB: must be from 1 to 128 MiB (Firehose's bounds), got ${Number(size)}`);
    }
    expect(configError({ BUFFER_SIZE_MIB: 'lots' }).message).toBe("BUFFER_SIZE_MIB: expected a number, got 'lots'");
    expect(configError({ FILE_SIZE_MIB: '0' }).key).toBe('FILE_SIZE_MIB');
  });

  it('refuses a STAGING_PREFIX readers would see or that is not a folder', () => {
    for (const prefix of ['staging/', 'data/in-progress/', '_eddy/in-progress', '.staging']) {
      const error = configError({ STAGING_PREFIX: prefix });
      expect(error.key).toBe('STAGING_PREFIX');
      expect(error.message).toContain(`got '${prefix}'`);
    }
  });
});
