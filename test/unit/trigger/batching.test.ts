import { describe, expect, it } from 'vitest';
import { batchLength, laneOf, verdictOf } from '../../../local/trigger/batching.js';

describe('Trigger: batching', () => {
  it('keeps a partition key in one lane and spreads keys over every lane', () => {
    const lanes = Array.from({ length: 300 }, (_, index) => laneOf(`key-${index}`, 3));
    expect(new Set(lanes)).toEqual(new Set([0, 1, 2]));
    expect(laneOf('key-7', 3)).toBe(laneOf('key-7', 3));
    expect(laneOf('anything', 1)).toBe(0);
  });

  it('caps a batch at the batch size and at the payload limit', () => {
    const queue = Array.from({ length: 10 }, () => 1_000);
    expect(batchLength(queue, 4, 1_000_000, (bytes) => bytes)).toBe(4);
    expect(batchLength(queue, 100, 3_100, (bytes) => bytes)).toBe(3);
    expect(batchLength([5_000], 100, 100, (bytes) => bytes)).toBe(1);
  });

  it('reads batchItemFailures as Lambda does', () => {
    const seqs = ['1', '2', '3', '4'];
    expect(verdictOf({ batchItemFailures: [{ itemIdentifier: '3' }, { itemIdentifier: '2' }] }, seqs, true)).toEqual({ kind: 'partial', index: 1 });
    expect(verdictOf({ batchItemFailures: [] }, seqs, true)).toEqual({ kind: 'success' });
    expect(verdictOf(undefined, seqs, true)).toEqual({ kind: 'success' });
    expect(verdictOf({ batchItemFailures: [{ itemIdentifier: '9' }] }, seqs, true).kind).toBe('failure');
    expect(verdictOf({ batchItemFailures: [{ itemIdentifier: '' }] }, seqs, true).kind).toBe('failure');
    expect(verdictOf({ batchItemFailures: [{ itemIdentifier: null }] }, seqs, true).kind).toBe('failure');
    // Without ReportBatchItemFailures the response is ignored.
    expect(verdictOf({ batchItemFailures: [{ itemIdentifier: '3' }] }, seqs, false)).toEqual({ kind: 'success' });
  });
});
