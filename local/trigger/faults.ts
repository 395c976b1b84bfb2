import { ConfigError } from '../../shared/errors.js';

/**
 * Fault injection for the local trigger, described as plain JSON so it crosses into the
 * handler's worker thread and can be passed to `eddy dev --faults`. Every fault is counted,
 * never random, so a test that injects one sees the same run every time.
 */

/** What happens to an invocation when a fault fires. */
export type FaultAction = 'fail' | 'crash';

/** Which invocations of a function a fault applies to. */
interface FaultScope {
  /** Function key (or deployed name); omitted: every function. */
  readonly function?: string;
  /** 1-based invocation number of that function (counted by the trigger); omitted: every invocation. */
  readonly invocation?: number;
}

/**
 * Fail (throw) or crash (the worker dies, like a killed process) the invocation, either before
 * the handler runs (no `operation`) or before/after the `call`-th call of an SDK operation.
 */
export interface InvocationFault extends FaultScope {
  readonly kind: FaultAction;
  /** SDK operation name as in the API, e.g. `PutRecords`, `PutItem`, `PutObject`. */
  readonly operation?: string;
  /** Fire before the call is sent, or after it succeeded. @default 'after' */
  readonly when?: 'before' | 'after';
  /** 1-based call of `operation` within the invocation. @default 1 */
  readonly call?: number;
}

/** The next `attempts` attempts of `operation` see a throttling error, below the SDK's retry loop. */
export interface ThrottleFault extends FaultScope {
  readonly kind: 'throttle';
  readonly operation: string;
  /** @default 1 */
  readonly attempts?: number;
  /** @default 'ProvisionedThroughputExceededException' */
  readonly errorCode?: string;
}

/** The `call`-th PutRecords returns per-entry failures for `entries` (those records are not written). */
export interface PartialFailureFault extends FaultScope {
  readonly kind: 'putRecordsPartialFailure';
  /** Indexes into the call's Records. */
  readonly entries: readonly number[];
  /** @default 1 */
  readonly call?: number;
  /** @default 'ProvisionedThroughputExceededException' */
  readonly errorCode?: string;
}

/** After a successful invocation, the same batch is delivered once more (at-least-once delivery). */
export interface DeliverTwiceFault extends FaultScope {
  readonly kind: 'deliverTwice';
}

/** Any fault the trigger can inject. */
export type FaultSpec = InvocationFault | ThrottleFault | PartialFailureFault | DeliverTwiceFault;

/** The faults that run inside the worker (everything except delivery faults). */
export type WorkerFault = InvocationFault | ThrottleFault | PartialFailureFault;

const KINDS = ['fail', 'crash', 'throttle', 'putRecordsPartialFailure', 'deliverTwice'] as const;

/**
 * The faults that apply to one invocation.
 * @param faults - every configured fault
 * @param fn - the function's key and deployed name
 * @param invocation - 1-based invocation number of the function
 */
export function faultsFor(faults: readonly FaultSpec[], fn: { key: string; name: string }, invocation: number): FaultSpec[] {
  return faults.filter(
    (fault) => (fault.function === undefined || fault.function === fn.key || fault.function === fn.name) && (fault.invocation === undefined || fault.invocation === invocation),
  );
}

/** Splits applicable faults into those run in the worker and whether to deliver twice. */
export function splitFaults(faults: readonly FaultSpec[]): { worker: WorkerFault[]; deliverTwice: boolean } {
  return {
    worker: faults.filter((fault): fault is WorkerFault => fault.kind !== 'deliverTwice'),
    deliverTwice: faults.some((fault) => fault.kind === 'deliverTwice'),
  };
}

/**
 * Parses faults from JSON (the `--faults` flag or `EDDY_FAULTS`), naming the bad entry.
 * @param json - a JSON array of fault objects
 * @param source - flag or variable name, for the error message
 */
export function parseFaults(json: string, source: string): FaultSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(source, 'expected a JSON array of faults', { cause: error });
  }
  if (!Array.isArray(parsed)) throw new ConfigError(source, 'expected a JSON array of faults');
  return parsed.map((entry: unknown, index) => {
    const fault = entry as Record<string, unknown>;
    if (typeof entry !== 'object' || entry === null || !KINDS.includes(fault.kind as (typeof KINDS)[number])) {
      throw new ConfigError(`${source}[${index}].kind`, `expected one of ${KINDS.join(', ')}`);
    }
    if (fault.kind === 'throttle' && typeof fault.operation !== 'string') {
      throw new ConfigError(`${source}[${index}].operation`, 'a throttle fault needs an operation name');
    }
    if (fault.kind === 'putRecordsPartialFailure' && !Array.isArray(fault.entries)) {
      throw new ConfigError(`${source}[${index}].entries`, 'expected an array of entry indexes');
    }
    return entry as FaultSpec;
  });
}
