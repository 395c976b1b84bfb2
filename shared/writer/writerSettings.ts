import type { WriterDeps } from '../operators/s3Writer.js';
import { fileFormat } from './formats.js';
import type { WriterConfig } from './writerConfig.js';

/** What a writer takes from its configuration alone: everything but its adapters, its watermark and its clock. */
export type WriterSettings = Pick<WriterDeps, 'writer' | 'placement' | 'format' | 'policy' | 'caps' | 'commit' | 'stagingPrefix' | 'outOfOrdernessMs' | 'sweepQuietMs'>;

/**
 * The S3 writer's settings from its configuration, as the handler and the benchmark both wire
 * them: durations in ms, the format's implementation, the placement of records.
 */
export function writerSettings(config: WriterConfig): WriterSettings {
  return {
    writer: config.writerName,
    placement: { template: config.prefix, eventTimeField: config.eventTimeField, eventTimeFallback: config.eventTimeFallback },
    format: fileFormat(config.format),
    policy: config.policy,
    caps: { maxOpenFiles: config.maxOpenFiles, maxSegmentsPerFile: config.maxSegmentsPerFile },
    commit: { trigger: config.commitTrigger, delayMs: config.commitDelaySeconds * 1000 },
    stagingPrefix: config.stagingPrefix,
    outOfOrdernessMs: config.outOfOrdernessSeconds * 1000,
    sweepQuietMs: config.sweepQuietSeconds * 1000,
  };
}

/** The watermark's timeouts from the configuration, in ms. */
export const watermarkTimeouts = (config: WriterConfig): { readonly idleTimeoutMs: number; readonly startupGraceMs: number } => ({
  idleTimeoutMs: config.idleTimeoutSeconds * 1000,
  startupGraceMs: config.startupGraceSeconds * 1000,
});
