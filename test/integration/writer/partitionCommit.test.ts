import { beforeAll, describe, expect, it } from 'vitest';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WriterInput } from '../../../shared/operators/s3Writer.js';
import { useTestStack } from '../../helpers/stack.js';
import { FINAL, committedView, createWriterRun, createWriterStack, records, watermark, writerBatch, type WriterRun, type WriterRunOptions } from '../../helpers/writerRun.js';

useTestStack();
const A = 'shardId-000000000000';
const B = 'shardId-000000000001';
const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);
/** The marker of the event hour 2015-01-01T00, relative to the data prefix. */
const HOUR_00 = 'year=2015/month=01/day=01/hour=00/_SUCCESS';
let s3: S3Client;
let documents: DynamoDBDocumentClient;
let bucket: string;
let table: string;

beforeAll(async () => {
  ({ s3, documents, bucket, table } = await createWriterStack('commit'));
});

/** A writer whose processing time is `time.now`, from 2026-01-01 on. */
function fakeTimeRun(options: Partial<WriterRunOptions> & Pick<WriterRunOptions, 'shards'>) {
  const time = { now: START };
  const run = createWriterRun({ s3, documents, bucket, table, clock: () => time.now, ...options });
  return { ...run, time };
}

const idsOf = (values: readonly WriterInput[]): string[] => values.flatMap((value) => ('id' in value ? [String(value.id)] : [])).sort();
const view = (run: WriterRun) => committedView(s3, bucket, run.dataPrefix);
const deleteMarker = (run: WriterRun, marker: string) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${run.dataPrefix}${marker}` }));

/** Records partitioned by a field: `f_sequence` cycles through 0, 1, 2. */
const sequenced = (prefix: string, count: number): Record<string, unknown>[] =>
  records(prefix, count, '2015-01-01T00:00:00', 1_000, 40).map((record, i) => ({ ...record, f_sequence: i % 3 }));

describe('Writer: partition commit', () => {
  it('marks an hour once every shard’s clock has passed its end plus the delay, and not while a shard lags or holds a file of it open', async () => {
    const run = createWriterRun({ s3, documents, bucket, table, shards: [A, B], policy: { fileSizeBytes: 2_000 }, commit: { trigger: 'partition-time', delayMs: 10 * MINUTE } });
    // A's records fill a file past the size limit (committed at once); B's few stay in an open file.
    const a = records('a', 30, '2015-01-01T00:00:00', MINUTE, 40);
    const b = records('b', 3, '2015-01-01T00:40:00', MINUTE, 40);
    await run.write(writerBatch(A, [...a, watermark('raw-0', '2015-01-01T00:30:00')]));
    await run.write(writerBatch(B, [...b, watermark('raw-0', '2015-01-01T00:45:00')]));

    await run.write(writerBatch(A, [watermark('raw-0', '2015-01-01T01:20:00')]));
    const lagging = await view(run);
    expect(lagging.ids).toEqual(idsOf(a));
    expect(lagging.markers).toEqual([]);

    // The watermark is now the hour's end plus 5 minutes: half the delay.
    await run.write(writerBatch(B, [watermark('raw-0', '2015-01-01T01:05:00')]));
    const early = await view(run);
    expect(early.ids).toEqual(idsOf(a));
    expect(early.markers).toEqual([]);

    await run.write(writerBatch(B, [watermark('raw-0', '2015-01-01T01:10:00')]));
    const done = await view(run);
    expect(done.ids).toEqual(idsOf([...a, ...b]));
    expect(done.markers).toEqual([HOUR_00]);
  });

  it('reopens a marked partition for a late record: commits a new file and writes the marker again', async () => {
    const run = createWriterRun({ s3, documents, bucket, table, shards: [A] });
    const onTime = records('a', 10, '2015-01-01T00:00:00', MINUTE, 40);
    await run.write(writerBatch(A, [...onTime, watermark('raw-0', '2015-01-01T00:30:00')]));
    await run.write(writerBatch(A, [watermark('raw-0', '2015-01-01T01:00:00')]));
    const marked = await view(run);
    expect(marked.markers).toEqual([HOUR_00]);
    expect(marked.files.size).toBe(1);

    await deleteMarker(run, HOUR_00);
    const late = records('late', 2, '2015-01-01T00:30:00', MINUTE, 40);
    await run.write(writerBatch(A, [...late, watermark('raw-0', '2015-01-01T01:05:00')]));
    const reopened = await view(run);
    expect(reopened.files.size).toBe(2);
    expect(reopened.markers).toEqual([HOUR_00]);
    expect(reopened.ids).toEqual(idsOf([...onTime, ...late]));
  });

  it('commits and marks an hour in the pipeline’s first invocation when its watermark already passes the end', async () => {
    // Processing time moves on while an invocation runs, as it does on Lambda.
    const time = { now: START };
    const run = createWriterRun({ s3, documents, bucket, table, shards: [A], clock: () => (time.now += 1) });
    const sent = records('a', 10, '2015-01-01T00:00:00', MINUTE, 40);
    await run.write(writerBatch(A, [...sent, watermark('raw-0', '2015-01-01T01:00:00')]));
    const done = await view(run);
    expect(done.ids).toEqual(idsOf(sent));
    expect(done.markers).toEqual([HOUR_00]);
  });

  it('marks a partition by processing time only once the delay has passed since its last commit', async () => {
    // Every file rolls in the invocation that opens it: the commit times are the invocations'.
    const run = fakeTimeRun({ shards: [A], policy: { fileSizeBytes: 1 }, commit: { trigger: 'process-time', delayMs: 10 * MINUTE } });
    const tick = async (minute: number, values: WriterInput[]) => {
      run.time.now = START + minute * MINUTE;
      await run.write(writerBatch(A, values));
      return view(run);
    };
    const first = records('a', 5, '2015-01-01T00:00:00', MINUTE, 40);
    expect((await tick(0, first)).markers).toEqual([]);
    expect((await tick(5, [watermark('raw-0', '2015-01-01T02:00:00')])).markers).toEqual([]);
    expect((await tick(9, [watermark('raw-0', '2015-01-01T02:01:00')])).markers).toEqual([]);
    const due = await tick(10, [watermark('raw-0', '2015-01-01T02:02:00')]);
    expect(due.markers).toEqual([HOUR_00]);
    expect(due.ids).toEqual(idsOf(first));

    // A new commit into the partition starts the delay again.
    await deleteMarker(run, HOUR_00);
    const second = records('b', 5, '2015-01-01T00:10:00', MINUTE, 40);
    expect((await tick(12, second)).markers).toEqual([]);
    expect((await tick(21, [watermark('raw-0', '2015-01-01T02:03:00')])).markers).toEqual([]);
    const again = await tick(22, [watermark('raw-0', '2015-01-01T02:04:00')]);
    expect(again.markers).toEqual([HOUR_00]);
    expect(again.ids).toEqual(idsOf([...first, ...second]));
  });

  it('does not mark a partition by processing time while another shard holds a file of it open', async () => {
    const run = fakeTimeRun({ shards: [A, B], policy: { fileSizeBytes: 2_000 }, commit: { trigger: 'process-time', delayMs: 10 * MINUTE } });
    const a = records('a', 30, '2015-01-01T00:00:00', MINUTE, 40);
    const b = records('b', 3, '2015-01-01T00:40:00', MINUTE, 40);
    await run.write(writerBatch(A, a));
    await run.write(writerBatch(B, b));

    run.time.now = START + 15 * MINUTE;
    await run.write(writerBatch(A, [watermark('raw-0', '2015-01-01T00:30:00')]));
    const held = await view(run);
    expect(held.ids).toEqual(idsOf(a));
    expect(held.markers).toEqual([]);

    // B's file fills up and commits; the partition is marked once the delay has passed since.
    const more = records('c', 30, '2015-01-01T00:45:00', 10_000, 40);
    run.time.now = START + 16 * MINUTE;
    await run.write(writerBatch(B, more));
    run.time.now = START + 26 * MINUTE;
    await run.write(writerBatch(A, [watermark('raw-0', '2015-01-01T00:31:00')]));
    const done = await view(run);
    expect(done.ids).toEqual(idsOf([...a, ...b, ...more]));
    expect(done.markers).toEqual([HOUR_00]);
  });

  it('waits the processing-time delay after the partition’s last commit by any shard', async () => {
    const run = fakeTimeRun({ shards: [A, B], policy: { fileSizeBytes: 2_000 }, commit: { trigger: 'process-time', delayMs: 10 * MINUTE } });
    const a = records('a', 30, '2015-01-01T00:00:00', MINUTE, 40);
    await run.write(writerBatch(A, a));
    run.time.now = START + 11 * MINUTE;
    // B commits a file into the hour A committed to 11 minutes ago: the hour's last commit is now.
    const b = records('b', 30, '2015-01-01T00:40:00', 10_000, 40);
    await run.write(writerBatch(B, b));
    const fresh = await view(run);
    expect(fresh.ids).toEqual(idsOf([...a, ...b]));
    expect(fresh.markers).toEqual([]);

    run.time.now = START + 21 * MINUTE;
    await run.write(writerBatch(A, [watermark('raw-0', '2015-01-01T00:31:00')]));
    expect((await view(run)).markers).toEqual([HOUR_00]);
  });

  it('marks partitions of a field (no time partitions) by processing time', async () => {
    const run = fakeTimeRun({ shards: [A], template: (data) => `${data}f_sequence=!{field:f_sequence}/`, policy: { fileSizeBytes: 1 }, commit: { trigger: 'process-time', delayMs: 5 * MINUTE } });
    const sent = sequenced('s', 9);
    await run.write(writerBatch(A, sent));
    const committed = await view(run);
    expect(committed.ids).toEqual(idsOf(sent));
    expect([...committed.files.keys()].map((key) => key.slice(run.dataPrefix.length).split('/')[0]).sort()).toEqual(['f_sequence=0', 'f_sequence=1', 'f_sequence=2']);
    expect(committed.markers).toEqual([]);

    run.time.now = START + 4 * MINUTE;
    await run.write(writerBatch(A, [watermark('raw-0', '2015-01-01T01:00:00')]));
    expect((await view(run)).markers).toEqual([]);
    run.time.now = START + 5 * MINUTE;
    await run.write(writerBatch(A, [watermark('raw-0', '2015-01-01T01:01:00')]));
    expect((await view(run)).markers).toEqual(['f_sequence=0/_SUCCESS', 'f_sequence=1/_SUCCESS', 'f_sequence=2/_SUCCESS']);
  });

  it('marks partitions of a field (no time partitions) by partition time only at the end of input', async () => {
    const run = createWriterRun({ s3, documents, bucket, table, shards: [A], template: (data) => `${data}f_sequence=!{field:f_sequence}/` });
    const sent = sequenced('s', 9);
    // A watermark far past every record: a field partition has no end for it to pass.
    await run.write(writerBatch(A, [...sent, watermark('raw-0', '2016-01-01T00:00:00')]));
    const open = await view(run);
    expect(open.files.size).toBe(0);
    expect(open.markers).toEqual([]);

    await run.write(writerBatch(A, [FINAL]));
    const done = await view(run);
    expect(done.ids).toEqual(idsOf(sent));
    expect(done.files.size).toBe(3);
    expect(done.markers).toEqual(['f_sequence=0/_SUCCESS', 'f_sequence=1/_SUCCESS', 'f_sequence=2/_SUCCESS']);
  });
});
