import { RETRY_DEFAULTS } from './constants.js';

/** Options of {@link backoffDelay} and {@link retryPartial}. */
export interface RetryOptions {
  /** @default RETRY_DEFAULTS.maxAttempts */
  readonly maxAttempts?: number;
  /** @default RETRY_DEFAULTS.baseDelayMs */
  readonly baseDelayMs?: number;
  /** @default RETRY_DEFAULTS.maxDelayMs */
  readonly maxDelayMs?: number;
  /** Random source in [0, 1), injectable for tests. @default Math.random */
  readonly random?: () => number;
  /** Sleep, injectable for tests. @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base × 2^attempt)).
 * @param attempt - zero-based attempt number
 */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs;
  const max = options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  const random = options.random ?? Math.random;
  return Math.floor(random() * Math.min(max, base * 2 ** attempt));
}

/** What one call of a batch API left undone: the indexes (into the call's input) to send again. */
export type PartialResult = readonly number[];

/**
 * Sends `items` with `call` and sends again only the entries the call reports as failed
 * (PutRecords' `FailedRecordCount`, BatchWriteItem's `UnprocessedItems`, BatchGetItem's
 * `UnprocessedKeys`), backing off between attempts.
 * @param items - the entries of one batch call
 * @param call - sends a subset and returns the indexes, into that subset, that failed
 * @returns the items that still failed after the last attempt (empty on success)
 */
export async function retryPartial<T>(
  items: readonly T[],
  call: (subset: readonly T[], attempt: number) => Promise<PartialResult>,
  options: RetryOptions = {},
): Promise<readonly T[]> {
  const maxAttempts = options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
  const wait = options.sleep ?? sleep;
  let pending = items;
  for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 0) await wait(backoffDelay(attempt, options));
    const failed = await call(pending, attempt);
    pending = failed.map((index) => pending[index] as T);
  }
  return pending;
}
