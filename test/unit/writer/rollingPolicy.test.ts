import { describe, expect, it } from 'vitest';
import { FLINK_DEFAULTS, rollReason, rollingPolicy } from '../../../shared/writer/rollingPolicy.js';

const KEYS = {
  fileSizeMiB: 'FILE_SIZE_MIB',
  rolloverIntervalSeconds: 'ROLLOVER_INTERVAL_SECONDS',
  inactivityIntervalSeconds: 'INACTIVITY_INTERVAL_SECONDS',
  bufferSizeMiB: 'BUFFER_SIZE_MIB',
  bufferIntervalSeconds: 'BUFFER_INTERVAL_SECONDS',
};
const MIB = 1024 * 1024;

describe('Writer: rolling policy', () => {
  it('defaults to Flink’s filesystem sink: 128 MB, 30 min open, 30 min inactive', () => {
    expect(rollingPolicy({}, KEYS)).toEqual(FLINK_DEFAULTS);
    expect(FLINK_DEFAULTS).toEqual({ fileSizeBytes: 128 * MIB, rolloverIntervalMs: 1_800_000, inactivityIntervalMs: 1_800_000 });
  });

  it('rolls a file by size first, then by age, then by inactivity', () => {
    const policy = rollingPolicy({ fileSizeMiB: 1, rolloverIntervalSeconds: 60, inactivityIntervalSeconds: 10 }, KEYS);
    const file = { bytes: 100, openedAt: 0, lastAppendAt: 0 };
    expect(rollReason(file, policy, 5_000)).toBe(false);
    expect(rollReason({ ...file, bytes: MIB }, policy, 5_000)).toBe('size');
    expect(rollReason({ ...file, lastAppendAt: 55_000 }, policy, 60_000)).toBe('rollover');
    expect(rollReason({ ...file, lastAppendAt: 40_000 }, policy, 50_000)).toBe('inactivity');
  });

  it('takes Firehose buffering hints (size or interval, whichever first) within Firehose’s bounds', () => {
    expect(rollingPolicy({ bufferSizeMiB: 64, bufferIntervalSeconds: 60 }, KEYS)).toEqual({ fileSizeBytes: 64 * MIB, rolloverIntervalMs: 60_000, inactivityIntervalMs: 60_000 });
    expect(rollingPolicy({ bufferIntervalSeconds: 0 }, KEYS)).toMatchObject({ fileSizeBytes: 5 * MIB, rolloverIntervalMs: 0 });
    expect(() => rollingPolicy({ bufferSizeMiB: 129 }, KEYS)).toThrow(/^BUFFER_SIZE_MIB: must be from 1 to 128 MiB/);
    expect(() => rollingPolicy({ bufferIntervalSeconds: 901 }, KEYS)).toThrow(/^BUFFER_INTERVAL_SECONDS: must be from 0 to 900 s/);
  });

  it('refuses both styles at once and non-positive Flink options, naming them', () => {
    expect(() => rollingPolicy({ fileSizeMiB: 10, bufferSizeMiB: 5 }, KEYS)).toThrow(/BUFFER_SIZE_MIB\/BUFFER_INTERVAL_SECONDS: .*set one style only/);
    expect(() => rollingPolicy({ rolloverIntervalSeconds: 0 }, KEYS)).toThrow(/^ROLLOVER_INTERVAL_SECONDS: must be a positive number/);
  });
});
