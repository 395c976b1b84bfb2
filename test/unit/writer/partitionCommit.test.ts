import { describe, expect, it } from 'vitest';
import { commitDue, partitionSpan } from '../../../shared/writer/partitionCommit.js';

const hour = 'data/stream_data/year=2015/month=01/day=05/hour=13/';
const at = (iso: string): number => Date.parse(`${iso}Z`);

describe('Writer: partition commit', () => {
  it('reads the span of hourly, daily and monthly Hive partitions', () => {
    expect(partitionSpan(hour)).toEqual({ start: at('2015-01-05T13:00:00'), end: at('2015-01-05T14:00:00') });
    expect(partitionSpan('data/summary/hourly_sales/year=2015/month=02/day=28/')).toEqual({ start: at('2015-02-28T00:00:00'), end: at('2015-03-01T00:00:00') });
    expect(partitionSpan('x/year=2015/month=12/')).toEqual({ start: at('2015-12-01T00:00:00'), end: at('2016-01-01T00:00:00') });
    expect(partitionSpan('data/oceanus/f_sequence=3/')).toBeUndefined();
  });

  it('commits by partition time once the watermark passes the end plus the delay, and not before', () => {
    const check = { trigger: 'partition-time' as const, delayMs: 1_000, now: 0 };
    expect(commitDue(hour, 0, { ...check, watermark: at('2015-01-05T14:00:00') })).toBe(false);
    expect(commitDue(hour, 0, { ...check, watermark: at('2015-01-05T14:00:01') })).toBe(true);
    expect(commitDue(hour, 0, { ...check, watermark: undefined })).toBe(false);
    expect(commitDue('data/oceanus/f_sequence=3/', 0, { ...check, watermark: Number.MAX_SAFE_INTEGER })).toBe(false);
  });

  it('commits by processing time once the delay has passed since the last file', () => {
    const check = { trigger: 'process-time' as const, delayMs: 1_000, watermark: undefined };
    expect(commitDue('data/oceanus/f_sequence=3/', 10_000, { ...check, now: 10_999 })).toBe(false);
    expect(commitDue('data/oceanus/f_sequence=3/', 10_000, { ...check, now: 11_000 })).toBe(true);
  });
});
