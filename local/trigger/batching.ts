import { createHash } from 'node:crypto';

/**
 * The pure decisions of the trigger: which lane a record takes, how many records fit in one
 * invocation, and what a handler's response means for the batch.
 */

/**
 * The lane (0…n-1) of a partition key when a shard is read with a parallelization factor n:
 * one key always takes the same lane, so its records stay in order.
 */
export function laneOf(partitionKey: string, lanes: number): number {
  if (lanes <= 1) return 0;
  return createHash('md5').update(partitionKey).digest().readUInt32BE(0) % lanes;
}

/**
 * How many of the queued records go into the next batch: at most `batchSize`, and never more
 * than `maxBytes` of event payload (the first record always goes, a record is at most 1 MiB).
 */
export function batchLength<T>(queue: readonly T[], batchSize: number, maxBytes: number, bytesOf: (item: T) => number): number {
  let bytes = 16;
  let count = 0;
  for (const item of queue) {
    if (count >= batchSize) break;
    const size = bytesOf(item) + 1;
    if (count > 0 && bytes + size > maxBytes) break;
    bytes += size;
    count++;
  }
  return count;
}

/** What a handler's response means for its batch. */
export type BatchVerdict =
  | { readonly kind: 'success' }
  /** Records before `index` are done; retry from it. */
  | { readonly kind: 'partial'; readonly index: number }
  | { readonly kind: 'failure'; readonly reason: string };

/**
 * Reads a successful response as Lambda does. Without ReportBatchItemFailures the response is
 * ignored. With it, `batchItemFailures` names failed sequence numbers: the lowest one is where
 * processing resumes; an identifier that is empty, null or not in the batch fails the whole batch.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-batchfailurereporting.html
 */
export function verdictOf(response: unknown, sequenceNumbers: readonly string[], reportBatchItemFailures: boolean): BatchVerdict {
  if (!reportBatchItemFailures || typeof response !== 'object' || response === null) return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  let lowest = Infinity;
  for (const failure of failures as unknown[]) {
    const id = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    const index = typeof id === 'string' && id !== '' ? sequenceNumbers.indexOf(id) : -1;
    if (index < 0) return { kind: 'failure', reason: `batchItemFailures names '${String(id)}', which is not in the batch` };
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', index: lowest };
}
