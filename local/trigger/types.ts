import type { KinesisStreamEvent } from 'aws-lambda';
import type { FaultSpec } from './faults.js';
import type { FailureRecord } from './onFailure.js';
import type { SerializedError } from './protocol.js';
import type { BatchVerdict } from './batching.js';
import type { ServerlessModel } from '../serverlessModel.js';

/** Emitted before each invocation. */
export interface InvokeEvent {
  readonly function: string;
  readonly shardId: string;
  readonly requestId: string;
  readonly event: KinesisStreamEvent;
  /** Retries of these records so far (0 on the first delivery). */
  readonly attempt: number;
}

/** Emitted after each invocation. */
export interface BatchResultEvent {
  readonly function: string;
  readonly shardId: string;
  readonly requestId: string;
  readonly records: number;
  readonly status: 'ok' | 'error' | 'crash' | 'timeout';
  /** How the response was read (only for `ok`). */
  readonly verdict?: BatchVerdict;
  readonly error?: SerializedError;
  readonly cold: boolean;
  readonly millis: number;
}

/** Emitted when a shard's checkpoint moves (or the shard is finished). */
export interface CheckpointEvent {
  readonly function: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly sequenceNumber?: string;
  readonly finished: boolean;
}

/** Emitted when a batch is discarded to the on-failure destination. */
export interface FailureRecordEvent {
  readonly function: string;
  readonly shardId: string;
  readonly record: FailureRecord;
  /** S3 object key, when the destination is a bucket. */
  readonly key?: string;
}

/** Emitted when the trigger itself hits an error (GetRecords, a destination write). */
export interface TriggerErrorEvent {
  readonly function: string;
  readonly shardId?: string;
  readonly error: unknown;
}

/** The trigger's events, by name. */
/** `prewarm` environments finished their init phase. */
export interface WarmEvent {
  readonly environments: number;
  readonly millis: number;
}

export interface TriggerEventMap {
  warm: [WarmEvent];
  invoke: [InvokeEvent];
  batchResult: [BatchResultEvent];
  checkpoint: [CheckpointEvent];
  failureRecord: [FailureRecordEvent];
  error: [TriggerErrorEvent];
  scheduled: [ScheduledInvokeEvent];
}

/** A scheduled (EventBridge `rate(…)`) invocation finished. */
export interface ScheduledInvokeEvent {
  readonly function: string;
  readonly status: 'ok' | 'error' | 'crash' | 'timeout';
  readonly millis: number;
}

/** Counters of one shard of one function. */
export interface ShardStats {
  recordsIn: number;
  /** Records done (processed, or discarded to the destination). */
  recordsDone: number;
  invocations: number;
  errors: number;
  retries: number;
  /** Records sent to the on-failure destination. */
  recordsFailed: number;
  /** Records read but not yet checkpointed. */
  behind: number;
  millisBehindLatest: number;
  finished: boolean;
}

/** Timing knobs; the defaults behave like Lambda, tests shorten them. */
export interface TriggerTuning {
  /** Wait between GetRecords calls on a shard with nothing new. @default 1000 */
  readonly pollIntervalMs?: number;
  /** How often shards are listed to find children after a split or merge. @default 2000 */
  readonly discoveryIntervalMs?: number;
  /** Backoff before retry n is `retryBackoffMs × n`. @default 100 */
  readonly retryBackoffMs?: number;
  /** Records per GetRecords call. @default 10000 */
  readonly getRecordsLimit?: number;
  /** Records read ahead per shard before polling pauses. @default max(10000, 2 × batchSize × parallelization) */
  readonly maxBufferedRecords?: number;
  /** Environments per function started and initialized with the trigger, like provisioned concurrency. @default 0 */
  readonly prewarm?: number;
  /**
   * Loads each handler as deployed, bundled by esbuild into one CommonJS file under
   * `node_modules/.cache/eddy-trigger/` (the AWS SDK external, removed at stop), instead of its TypeScript through tsx: cold
   * starts take a fraction of the time. @default true
   */
  readonly bundle?: boolean;
  /**
   * Runs each function's `schedule: rate(…)` events at this interval instead of the declared rate
   * (local runs are minutes long, not days). @default the declared rate
   */
  readonly scheduleIntervalMs?: number;
  /** Overrides every function's timeout (ms). */
  readonly timeoutMs?: number;
}

/** Options of `startTrigger`. */
export interface TriggerOptions extends TriggerTuning {
  /** The serverless.yml model (`loadServerlessModel`). */
  readonly model: ServerlessModel;
  /** Function keys or names to run; omitted: every function with a stream event. */
  readonly functions?: readonly string[];
  /** Directory for checkpoints. */
  readonly stateDir: string;
  /** Project root that handler paths are relative to. @default process.cwd() */
  readonly cwd?: string;
  /** Faults to inject (tests, chaos runs). @default [] */
  readonly faults?: readonly FaultSpec[];
  /** Append each function's logs (stdout, stderr) to `<logDir>/<function>.log`. @default the handlers print to this process's stdout/stderr */
  readonly logDir?: string;
  /** Diagnostic lines (trigger errors). @default none */
  readonly log?: (line: string) => void;
  /** Listeners, same as `trigger.on(...)`. */
  readonly onInvoke?: (event: InvokeEvent) => void;
  readonly onBatchResult?: (event: BatchResultEvent) => void;
  readonly onCheckpoint?: (event: CheckpointEvent) => void;
  readonly onFailureRecord?: (event: FailureRecordEvent) => void;
  /** Told when the `prewarm` environments have finished their init phase. */
  readonly onWarm?: (event: WarmEvent) => void;
}
