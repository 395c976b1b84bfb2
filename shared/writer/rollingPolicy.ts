/**
 * When an S3 writer's open file is finished and made visible: Flink's `DefaultRollingPolicy`
 * (part size, rollover interval, inactivity interval) and Firehose's buffering hints (size and
 * interval, either reached first), in one policy.
 */
import { ConfigError } from '../errors.js';

/** The rolling policy of one writer. */
export interface RollingPolicy {
  /** A file is finished once it holds this many bytes. Flink `sink.rolling-policy.file-size`. @default 128 MiB */
  readonly fileSizeBytes: number;
  /** A file is finished this long after it was opened. Flink `sink.rolling-policy.rollover-interval`. @default 30 min */
  readonly rolloverIntervalMs: number;
  /** A file is finished after this long without a record. Flink `sink.rolling-policy.inactivity-interval`. @default 30 min */
  readonly inactivityIntervalMs: number;
}

/** What the policy looks at of an open file. */
export interface OpenFile {
  readonly bytes: number;
  /** When its first record was buffered, epoch ms. */
  readonly openedAt: number;
  /** When its last record was appended, epoch ms. */
  readonly lastAppendAt: number;
}

/** Why a file rolls, or false. */
export type RollReason = 'size' | 'rollover' | 'inactivity';

const MIB = 1024 * 1024;

/** Flink's filesystem sink defaults: 128 MB, 30 min, 30 min. */
export const FLINK_DEFAULTS: RollingPolicy = { fileSizeBytes: 128 * MIB, rolloverIntervalMs: 30 * 60_000, inactivityIntervalMs: 30 * 60_000 };

/** Firehose's buffering hints' bounds: size 1–128 MiB, interval 0–900 s. */
export const FIREHOSE_HINT_BOUNDS = { sizeMiB: { min: 1, max: 128 }, intervalSeconds: { min: 0, max: 900 } } as const;

/**
 * Whether an open file rolls now, and why: the size is checked first, then the time since it
 * was opened, then the time since its last record.
 * @param now - processing time, epoch ms
 */
export function rollReason(file: OpenFile, policy: RollingPolicy, now: number): RollReason | false {
  if (file.bytes >= policy.fileSizeBytes) return 'size';
  if (now - file.openedAt >= policy.rolloverIntervalMs) return 'rollover';
  if (now - file.lastAppendAt >= policy.inactivityIntervalMs) return 'inactivity';
  return false;
}

/** The policy options as a user writes them (Flink's names, or Firehose's hints; not both). */
export interface RollingPolicyInput {
  readonly fileSizeMiB?: number;
  readonly rolloverIntervalSeconds?: number;
  readonly inactivityIntervalSeconds?: number;
  /** Firehose `BufferingHints.SizeInMBs`, 1–128. */
  readonly bufferSizeMiB?: number;
  /** Firehose `BufferingHints.IntervalInSeconds`, 0–900. */
  readonly bufferIntervalSeconds?: number;
}

const positive = (value: number | undefined, key: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(key, `must be a positive number, got ${value}`);
  return value;
};

/**
 * Builds a policy from Flink-style options or Firehose-style buffering hints. Firehose delivers
 * when either hint is reached first, so its hints map to a file size and a rollover interval
 * (its interval counts from the first buffered record), with no inactivity rule of their own.
 * @throws ConfigError naming the option that is out of range, or both styles when mixed
 */
export function rollingPolicy(input: RollingPolicyInput, keys: Record<keyof RollingPolicyInput, string>): RollingPolicy {
  const flink = input.fileSizeMiB !== undefined || input.rolloverIntervalSeconds !== undefined || input.inactivityIntervalSeconds !== undefined;
  const firehose = input.bufferSizeMiB !== undefined || input.bufferIntervalSeconds !== undefined;
  if (flink && firehose) throw new ConfigError(`${keys.bufferSizeMiB}/${keys.bufferIntervalSeconds}`, `Firehose buffering hints replace ${keys.fileSizeMiB}, ${keys.rolloverIntervalSeconds} and ${keys.inactivityIntervalSeconds}: set one style only`);
  if (firehose) {
    const { sizeMiB, intervalSeconds } = FIREHOSE_HINT_BOUNDS;
    const size = input.bufferSizeMiB ?? 5;
    const interval = input.bufferIntervalSeconds ?? 300;
    if (!Number.isFinite(size) || size < sizeMiB.min || size > sizeMiB.max) throw new ConfigError(keys.bufferSizeMiB, `must be from ${sizeMiB.min} to ${sizeMiB.max} MiB (Firehose's bounds), got ${size}`);
    if (!Number.isFinite(interval) || interval < intervalSeconds.min || interval > intervalSeconds.max) throw new ConfigError(keys.bufferIntervalSeconds, `must be from ${intervalSeconds.min} to ${intervalSeconds.max} s (Firehose's bounds), got ${interval}`);
    return { fileSizeBytes: size * MIB, rolloverIntervalMs: interval * 1000, inactivityIntervalMs: interval * 1000 };
  }
  return {
    fileSizeBytes: (positive(input.fileSizeMiB, keys.fileSizeMiB) ?? 128) * MIB,
    rolloverIntervalMs: (positive(input.rolloverIntervalSeconds, keys.rolloverIntervalSeconds) ?? 1_800) * 1000,
    inactivityIntervalMs: (positive(input.inactivityIntervalSeconds, keys.inactivityIntervalSeconds) ?? 1_800) * 1000,
  };
}
