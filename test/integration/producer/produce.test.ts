import { beforeAll, describe, expect, it } from 'vitest';
import { AggregatingRecordSink } from '../../../shared/adapters/AggregatingRecordSink.js';
import { createKinesisClient } from '../../../shared/adapters/clients.js';
import { KinesisRecordSink } from '../../../shared/adapters/KinesisRecordSink.js';
import { deaggregate } from '../../../shared/kpl.js';
import { primaryKeyOf } from '../../../shared/primaryKey.js';
import { createPartitionKeyFn, parsePartitionKeySpec } from '../../../shared/producer/partitionKeys.js';
import { produceRecords } from '../../../shared/producer/produceRecords.js';
import { parseCsvLines } from '../../../shared/producer/sources.js';
import { createTestStream, uniqueName, useTestStack } from '../../helpers/stack.js';
import { readAllRecords } from '../../helpers/streamReader.js';

useTestStack();
const kinesis = createKinesisClient();

const HEADER = 'tr_date,tr_time,store_cd,store_name,pos_num,receipt_num,product_cd,qty,mount,tr_datetime';
const csv = (rows: number): string[] => [
  HEADER,
  ...Array.from({ length: rows }, (_, index) => `2015-01-02,20,12345,"등촌점, 본점",${1 + (index % 3)},${index},8802609028247,${1 + (index % 4)},${1000 * (1 + (index % 4))}.0,2015-01-02 20:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}`),
];

describe('Producer against the local Kinesis emulator', () => {
  const plain = uniqueName('produce');
  const aggregated = uniqueName('produce-agg');
  beforeAll(async () => {
    await Promise.all([createTestStream(kinesis, plain, 4), createTestStream(kinesis, aggregated, 2)]);
  });

  it('puts 3,000 rows and an unparseable line on a 4-shard stream; every one reads back with pk and event_time', async () => {
    const lines = [...csv(3000), 'this line is not a transaction'];
    const sink = new KinesisRecordSink(kinesis, plain);
    const summary = await produceRecords(parseCsvLines(lines), sink, { partitionKey: createPartitionKeyFn(parsePartitionKeySpec('random')) });
    expect(summary).toMatchObject({ rowsRead: 3001, recordsSent: 3001, unparseable: 1, failedLines: [] });
    expect(summary.calls).toBe(7);

    const records = await readAllRecords(kinesis, plain);
    expect(records).toHaveLength(3001);
    expect(new Set(records.map((record) => record.PartitionKey)).size).toBeGreaterThan(900);
    const texts = records.map((record) => Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'));
    expect(texts.filter((text) => text === 'this line is not a transaction')).toHaveLength(1);
    const rows = texts.filter((text) => text.startsWith('{')).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(rows.map((row) => Number(row.receipt_num)).sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, index) => index));
    for (const row of rows) {
      expect(row.event_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
      expect(row.pk).toBe(primaryKeyOf(row as unknown as Parameters<typeof primaryKeyOf>[0]));
      expect(row.store_name).toBe('등촌점, 본점');
      expect(typeof row.qty).toBe('number');
    }
  });

  it('puts KPL-aggregated records that de-aggregate to exactly the input, in order within each aggregate', async () => {
    const sink = new AggregatingRecordSink(new KinesisRecordSink(kinesis, aggregated));
    const summary = await produceRecords(parseCsvLines(csv(2000)), sink, { partitionKey: createPartitionKeyFn(parsePartitionKeySpec('field:pos_num')) });
    expect(summary.recordsSent).toBe(2000);

    const records = await readAllRecords(kinesis, aggregated);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(100);
    const subs = records.flatMap((record) => deaggregate({ data: record.Data ?? new Uint8Array(), partitionKey: record.PartitionKey ?? '', sequenceNumber: record.SequenceNumber ?? '' }));
    expect(subs).toHaveLength(2000);
    const rows = subs.map((sub) => ({ row: JSON.parse(sub.data.toString('utf8')) as Record<string, unknown>, sub }));
    for (const { row, sub } of rows) {
      expect(sub.partitionKey).toBe(String(row.pos_num));
      expect(sub.subSequenceNumber).toBeTypeOf('number');
    }
    // Within one aggregate, sub-records keep the input order.
    const bySequence = new Map<string, number[]>();
    for (const { row, sub } of rows) bySequence.set(sub.sequenceNumber, [...(bySequence.get(sub.sequenceNumber) ?? []), Number(row.receipt_num)]);
    for (const receipts of bySequence.values()) {
      expect(receipts).toEqual([...receipts].sort((a, b) => a - b));
    }
    const expected: unknown[] = [];
    for await (const { row } of parseCsvLines(csv(2000))) expected.push(row);
    const actual = rows.map(({ row }) => {
      const { event_time: _sent, pk: _pk, ...rest } = row;
      return rest;
    });
    expect(actual.sort((a, b) => Number(a.receipt_num) - Number(b.receipt_num))).toEqual(expected);
  });
});
