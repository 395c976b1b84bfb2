import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_LIMITS } from '../constants.js';

/** Bytes of items one transaction is given at most: under the 4 MB limit, with room for the JSON estimate. */
const TRANSACTION_BYTES = DYNAMODB_LIMITS.transactWriteMaxBytes * 0.75;

/**
 * Splits writes into TransactWriteItems calls: at most 100 items and about 3 MB each.
 * @param sizeOf - an estimate of a write's bytes (its JSON length is close enough)
 */
export function transactionChunks<T>(writes: readonly T[], sizeOf: (write: T) => number): T[][] {
  const chunks: T[][] = [];
  let bytes = 0;
  for (const write of writes) {
    const size = sizeOf(write);
    const last = chunks.at(-1);
    if (last === undefined || last.length >= DYNAMODB_LIMITS.transactWriteMaxItems || bytes + size > TRANSACTION_BYTES) {
      chunks.push([write]);
      bytes = size;
    } else {
      last.push(write);
      bytes += size;
    }
  }
  return chunks;
}

/**
 * Whether a TransactWriteItems failed as a whole for a reason the same writes made one at a time
 * answer precisely: a condition (or a concurrent transaction) cancelled it, or an item is invalid
 * (too large). Nothing of a cancelled transaction was written.
 */
export const cancelledTransaction = (error: unknown): boolean =>
  error instanceof TransactionCanceledException || (error instanceof Error && error.name === 'ValidationException');
