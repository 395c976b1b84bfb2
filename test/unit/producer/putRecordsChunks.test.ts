import { describe, expect, it } from 'vitest';
import { putRecordsChunks, recordBytes } from '../../../shared/batching/putRecordsChunks.js';
import { KINESIS_LIMITS } from '../../../shared/constants.js';
import { PoisonRecordError } from '../../../shared/errors.js';
import type { OutputRecord } from '../../../shared/ports/RecordSink.js';

const record = (bytes: number, partitionKey = 'part-00001'): OutputRecord => ({ data: 'x'.repeat(bytes - partitionKey.length), partitionKey });

describe('Batching: putRecordsChunks', () => {
  it('packs 1,234 small records into calls of 500, 500 and 234, in order', () => {
    const records = Array.from({ length: 1234 }, () => record(100));
    const chunks = putRecordsChunks(records);
    expect(chunks.map((chunk) => chunk.length)).toEqual([500, 500, 234]);
    expect(chunks.flat()).toEqual(records.map((_, index) => index));
  });

  it('closes a call before it would pass 5 MiB of data plus partition keys', () => {
    const records = Array.from({ length: 12 }, () => record(1000 * 1000));
    const chunks = putRecordsChunks(records);
    expect(chunks.map((chunk) => chunk.length)).toEqual([5, 5, 2]);
    for (const chunk of chunks) expect(chunk.reduce((sum, index) => sum + recordBytes(records[index] as OutputRecord), 0)).toBeLessThanOrEqual(KINESIS_LIMITS.putRecordsMaxBytes);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const hangul = { data: '등'.repeat(400_000), partitionKey: 'k' }; // 1,200,001 bytes, 400,001 characters
    expect(recordBytes(hangul)).toBe(1_200_001);
    expect(() => putRecordsChunks([hangul])).toThrow(PoisonRecordError);
  });

  it('accepts a record of exactly 1 MiB and rejects one byte more, naming its index, before planning any call', () => {
    expect(putRecordsChunks([record(KINESIS_LIMITS.recordMaxBytes)])).toEqual([[0]]);
    const records = [record(10), record(10), record(KINESIS_LIMITS.recordMaxBytes + 1)];
    try {
      putRecordsChunks(records);
      expect.unreachable('an oversize record must throw');
    } catch (error) {
      expect(error).toBeInstanceOf(PoisonRecordError);
      expect((error as PoisonRecordError).reason).toBe('oversize');
      expect((error as PoisonRecordError).position.index).toBe(2);
      expect((error as Error).message).toMatch(/record 2 is 1,048,577 bytes/);
    }
  });

  it('rejects an empty or over-long partition key', () => {
    expect(() => putRecordsChunks([{ data: 'x', partitionKey: '' }])).toThrow(/partition key/);
    expect(() => putRecordsChunks([{ data: 'x', partitionKey: 'k'.repeat(257) }])).toThrow(/partition key/);
  });
});
