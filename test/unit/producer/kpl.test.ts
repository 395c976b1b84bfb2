import { describe, expect, it } from 'vitest';
import { AggregatingRecordSink } from '../../../shared/adapters/AggregatingRecordSink.js';
import { DecodeError, PoisonRecordError } from '../../../shared/errors.js';
import { aggregateRecords, deaggregate, isAggregated } from '../../../shared/kpl.js';
import type { OutputRecord, PutOutcome, RecordSink } from '../../../shared/ports/RecordSink.js';

const users = (count: number): OutputRecord[] =>
  Array.from({ length: count }, (_, index) => ({ data: JSON.stringify({ receipt_num: String(index), store_name: '등촌점' }), partitionKey: `part-${String(1 + (index % 1024)).padStart(5, '0')}` }));

describe('KPL: aggregate and de-aggregate', () => {
  it('round-trips records: same data, order and partition keys, with sub-sequence numbers', () => {
    const input = users(1000);
    const aggregates = aggregateRecords(input);
    expect(aggregates.length).toBeGreaterThan(1);
    expect(aggregates.flatMap(({ indexes }) => indexes)).toEqual(input.map((_, index) => index));
    const out = aggregates.flatMap(({ record }, position) => {
      expect(isAggregated(record.data as Uint8Array)).toBe(true);
      expect(record.partitionKey).toBe(input[aggregates[position]?.indexes[0] ?? -1]?.partitionKey);
      // As Lambda delivers it: base64 text.
      const subs = deaggregate({ data: Buffer.from(record.data as Uint8Array).toString('base64'), partitionKey: record.partitionKey, sequenceNumber: `seq-${position}` });
      expect(subs.map(({ subSequenceNumber }) => subSequenceNumber)).toEqual(subs.map((_, index) => index));
      expect(subs.every(({ sequenceNumber }) => sequenceNumber === `seq-${position}`)).toBe(true);
      return subs;
    });
    expect(out.map(({ data, partitionKey }) => ({ data: data.toString('utf8'), partitionKey }))).toEqual(input);
  });

  it('keeps aggregates near the target size and under the 1 MiB record limit', () => {
    for (const { record } of aggregateRecords(users(5000), { maxBytes: 10_000 })) {
      expect((record.data as Uint8Array).byteLength).toBeLessThanOrEqual(10_000 + 20);
    }
    const big = Array.from({ length: 3 }, (_, index) => ({ data: 'x'.repeat(600_000), partitionKey: `k${index}` }));
    const aggregates = aggregateRecords(big, { maxBytes: 2 * 1024 * 1024 });
    expect(aggregates.map(({ indexes }) => indexes)).toEqual([[0], [1], [2]]);
  });

  it('returns a record that is not aggregated as itself, one sub-record without a sub-sequence number', () => {
    const subs = deaggregate({ data: Buffer.from('{"a":1}').toString('base64'), partitionKey: 'p', sequenceNumber: '42' });
    expect(subs).toEqual([{ data: Buffer.from('{"a":1}'), partitionKey: 'p', sequenceNumber: '42' }]);
    expect(deaggregate({ data: new Uint8Array([1, 2, 3]), partitionKey: 'p', sequenceNumber: '1' })[0]?.data).toEqual(Buffer.from([1, 2, 3]));
  });

  it('throws a DecodeError for an aggregate whose checksum does not match', () => {
    const [aggregate] = aggregateRecords(users(3));
    const corrupt = Buffer.from(aggregate?.record.data as Uint8Array);
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;
    expect(() => deaggregate({ data: corrupt, partitionKey: 'p', sequenceNumber: '7' })).toThrow(DecodeError);
  });

  it('rejects a user record over 1 MiB, naming its index', () => {
    expect(() => aggregateRecords([...users(2), { data: 'x'.repeat(1024 * 1024), partitionKey: 'k' }])).toThrow(PoisonRecordError);
  });

  it('AggregatingRecordSink reports every user record of an aggregate that failed', async () => {
    const inner: RecordSink & { received: OutputRecord[] } = {
      received: [],
      async put(records): Promise<PutOutcome> {
        this.received.push(...records);
        return { failed: [1], calls: 1, retries: 2 };
      },
    };
    const input = users(300);
    const aggregates = aggregateRecords(input, { maxBytes: 4_000 });
    const outcome = await new AggregatingRecordSink(inner, { maxBytes: 4_000 }).put(input);
    expect(inner.received).toHaveLength(aggregates.length);
    expect(outcome).toEqual({ failed: aggregates[1]?.indexes, calls: 1, retries: 2 });
  });
});

describe('KPL: partition keys that look like numbers', () => {
  it('keeps each sub-record’s own key when keys are integer-like (store codes), in any order', () => {
    // aws-kinesis-agg's RecordAggregator orders such keys numerically and mislabels sub-records.
    const input = ['12347', '12345', '12346', '12345', '9', 'part-00001'].map((partitionKey, index) => ({ data: `row ${index}`, partitionKey }));
    const [aggregate] = aggregateRecords(input);
    const subs = deaggregate({ data: aggregate?.record.data as Uint8Array, partitionKey: aggregate?.record.partitionKey ?? '', sequenceNumber: '1' });
    expect(aggregate?.record.partitionKey).toBe('12347');
    expect(subs.map(({ data, partitionKey }) => [data.toString('utf8'), partitionKey])).toEqual(input.map(({ data, partitionKey }) => [data, partitionKey]));
  });

  it('keeps explicit hash keys, never mixing records with and without one in an aggregate', () => {
    const input = Array.from({ length: 9 }, (_, index) => ({ data: `r${index}`, partitionKey: 'k', ...(index % 3 === 0 ? { explicitHashKey: String(index * 1000) } : {}) }));
    const subs = aggregateRecords(input).flatMap(({ record }) => deaggregate({ data: record.data as Uint8Array, partitionKey: record.partitionKey, sequenceNumber: '1' }));
    expect(subs.map(({ explicitHashKey }) => explicitHashKey)).toEqual(input.map(({ explicitHashKey }) => explicitHashKey));
  });
});
