import { describe, expect, it } from 'vitest';
import { PoisonRecordError } from '../../../shared/errors.js';
import type { OutputRecord, PutOutcome, RecordSink } from '../../../shared/ports/RecordSink.js';
import { primaryKeyOf } from '../../../shared/primaryKey.js';
import { createPartitionKeyFn, parsePartitionKeySpec } from '../../../shared/producer/partitionKeys.js';
import { produceRecords } from '../../../shared/producer/produceRecords.js';
import { parseCsvLines, type SourceLine } from '../../../shared/producer/sources.js';
import type { Clock } from '../../../shared/producer/pacing.js';
import { KinesisRecordSink } from '../../../shared/adapters/KinesisRecordSink.js';
import { fakeKinesis, recordingSleep } from './fakes.js';

const HEADER = 'tr_date,tr_time,store_cd,store_name,pos_num,receipt_num,product_cd,qty,mount,tr_datetime';
const csvLine = (receipt: number, second = receipt % 60): string => `2015-01-02,20,12345,등촌점,1,${receipt},8802609028247,1,1000.0,2015-01-02 20:45:${String(second).padStart(2, '0')}`;

async function* lines(items: readonly SourceLine[]): AsyncGenerator<SourceLine> {
  yield* items;
}

/** A sink that records every put and can fail chosen records (by data) on every attempt. */
class RecordingSink implements RecordSink {
  public readonly puts: OutputRecord[][] = [];
  public constructor(private readonly fails: (record: OutputRecord) => boolean = () => false) {}
  public async put(records: readonly OutputRecord[]): Promise<PutOutcome> {
    this.puts.push([...records]);
    return { failed: records.flatMap((record, index) => (this.fails(record) ? [index] : [])), calls: Math.ceil(records.length / 500), retries: 0 };
  }
}

const randomKeys = () => createPartitionKeyFn(parsePartitionKeySpec('random', 1));
const fixedNow = () => Date.UTC(2023, 8, 7, 4, 33, 10, 472) + 0.585;

describe('Producer: produceRecords', () => {
  it('sends every row as JSON with event_time and pk, and unparseable lines as their text', async () => {
    const sink = new RecordingSink();
    const source = parseCsvLines([HEADER, csvLine(1), 'not,a,row', csvLine(2)]);
    const summary = await produceRecords(source, sink, { partitionKey: randomKeys(), now: fixedNow });
    expect(summary).toMatchObject({ rowsRead: 3, recordsSent: 3, unparseable: 1, failedLines: [], calls: 1 });
    const [first, bad, second] = sink.puts.flat();
    const row = JSON.parse(String(first?.data)) as Record<string, unknown>;
    expect(row).toMatchObject({ receipt_num: '1', qty: 1, mount: 1000, event_time: '2023-09-07T04:33:10.472585' });
    expect(row.pk).toBe(primaryKeyOf({ store_cd: '12345', pos_num: '1', receipt_num: '1', product_cd: '8802609028247', tr_datetime: '2015-01-02 20:45:01' }));
    expect(row.pk).toBe('12345|1|2015-01-02T20:45:01|1|8802609028247');
    expect(bad?.data).toBe('not,a,row');
    expect(JSON.parse(String(second?.data))).toMatchObject({ receipt_num: '2' });
    expect([first, bad, second].map((record) => record?.partitionKey)).toEqual(Array.from({ length: 3 }, randomKeys().bind(null, undefined)));
  });

  it('keeps a pk the row already has, so a resend carries the same key', async () => {
    const sink = new RecordingSink();
    await produceRecords(lines([{ line: 1, row: { pk: 'given', store_cd: '1' }, text: '' }, { line: 2, row: { qty: 1 }, text: '' }]), sink, { partitionKey: randomKeys() });
    const [given, partial] = sink.puts.flat().map(({ data }) => JSON.parse(String(data)) as Record<string, unknown>);
    expect(given?.pk).toBe('given');
    expect(partial).not.toHaveProperty('pk');
    expect(typeof partial?.event_time).toBe('string');
  });

  it('hands the sink batches of 500 and stops at --limit', async () => {
    const sink = new RecordingSink();
    const source = parseCsvLines([HEADER, ...Array.from({ length: 1500 }, (_, index) => csvLine(index))]);
    const summary = await produceRecords(source, sink, { partitionKey: randomKeys(), limit: 1234 });
    expect(sink.puts.map((batch) => batch.length)).toEqual([500, 500, 234]);
    expect(summary.rowsRead).toBe(1234);
    expect(summary.recordsSent).toBe(1234);
  });

  it('lists the lines of records the sink still failed, and counts them out of the sent ones', async () => {
    const sink = new RecordingSink((record) => String(record.data).includes('"receipt_num":"7"'));
    const summary = await produceRecords(parseCsvLines([HEADER, ...Array.from({ length: 10 }, (_, index) => csvLine(index))]), sink, { partitionKey: randomKeys() });
    expect(summary.failedLines).toEqual([9]);
    expect(summary.recordsSent).toBe(9);
  });

  it('retries only failed entries through a KinesisRecordSink and reports the retries', async () => {
    const { client, calls } = fakeKinesis({ decide: (data, call) => (call === 0 && data.includes('"receipt_num":"3"') ? 'ProvisionedThroughputExceededException' : undefined) });
    const sink = new KinesisRecordSink(client, 's', { sleep: recordingSleep().sleep });
    const summary = await produceRecords(parseCsvLines([HEADER, ...Array.from({ length: 5 }, (_, index) => csvLine(index))]), sink, { partitionKey: randomKeys() });
    expect(summary).toMatchObject({ recordsSent: 5, calls: 2, retries: 1, failedLines: [] });
    expect(calls[1]?.data).toHaveLength(1);
  });

  it('stops with an error naming the line of a record over 1 MiB', async () => {
    const { client } = fakeKinesis();
    const huge = `2015-01-02,20,12345,${'x'.repeat(1024 * 1024)},1,9,8802609028247,1,1000.0,2015-01-02 20:45:00`;
    const run = produceRecords(parseCsvLines([HEADER, csvLine(1), csvLine(2), huge, csvLine(3)]), new KinesisRecordSink(client, 's'), { partitionKey: randomKeys() });
    await expect(run).rejects.toBeInstanceOf(PoisonRecordError);
    await expect(run).rejects.toThrow(/^line 4: the record is 1,048,\d{3} bytes/);
  });

  it('sends rows at the replay pace and does not hold buffered rows while it waits', async () => {
    let now = 0;
    const sentAt: number[] = [];
    const clock: Clock = { now: () => now, sleep: async (ms) => void (now += ms) };
    const sink: RecordSink = {
      put: async (records) => {
        for (const _ of records) sentAt.push(now);
        return { failed: [], calls: 1 };
      },
    };
    const times = ['20:00:00', '20:00:00', '20:01:00', '20:02:00', '20:02:00'];
    const source = lines(times.map((time, index) => ({ line: index + 1, row: { tr_datetime: `2015-01-02 ${time}` }, text: '' })));
    const summary = await produceRecords(source, sink, { partitionKey: randomKeys(), pacing: { speed: 60 }, clock });
    expect(sentAt).toEqual([0, 0, 1_000, 2_000, 2_000]);
    expect(summary.seconds).toBe(2);
  });
});
