import { beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventTimeOf, formatLocal } from '../../../shared/aggregate/eventTime.js';
import { isCommittedKey } from '../../../shared/lake/committedKey.js';
import type { WriterInput } from '../../../shared/operators/s3Writer.js';
import { MIN_PART_BYTES } from '../../../shared/writer/fileUploads.js';
import { useTestStack } from '../../helpers/stack.js';
import { FINAL, committedView, createWriterRun, createWriterStack, linesOf, listObjects, records, watermark, writerBatch, type WriterRunOptions } from '../../helpers/writerRun.js';

useTestStack();
const A = 'shardId-000000000000';
const MIB = 1024 * 1024;
const MINUTE = 60_000;
let s3: S3Client;
let documents: DynamoDBDocumentClient;
let bucket: string;
let table: string;

beforeAll(async () => {
  ({ s3, documents, bucket, table } = await createWriterStack('rolling'));
});

/** A writer on one shard whose processing time is `time.now`. */
function fakeTimeRun(options: Partial<WriterRunOptions>) {
  const time = { now: Date.UTC(2026, 0, 1) };
  const run = createWriterRun({ s3, documents, bucket, table, shards: [A], clock: () => time.now, ...options });
  return { ...run, time };
}

/** `count` records of minute `minute` of the event hour 2015-01-01T00, named `m<minute>-<i>`. */
const minuteRecords = (minute: number, count = 5): Record<string, unknown>[] =>
  records(`m${minute}`, count, formatLocal((eventTimeOf('2015-01-01T00:00:00') as number) + minute * MINUTE), 1_000, 40);

const idsOf = (values: readonly WriterInput[]): string[] => values.flatMap((value) => ('id' in value ? [String(value.id)] : [])).sort();

describe('Writer: rolling files', () => {
  it('rolls at the size limit across many invocations, building each file from multipart uploads', async () => {
    const run = createWriterRun({ s3, documents, bucket, table, shards: [A], policy: { fileSizeBytes: 12 * MIB } });
    const start = eventTimeOf('2015-01-01T00:00:00') as number;
    const sent: WriterInput[] = [];
    let batchBytes = 0;
    // About 30 MiB of ~1 KB records, 1,000 a batch, all in one event hour.
    for (let n = 0; n < 30; n += 1) {
      const batch = records(`b${n}`, 1_000, formatLocal(start + n * 100_000), 100, 1_000);
      sent.push(...batch);
      batchBytes = Math.max(batchBytes, batch.reduce((sum, record) => sum + JSON.stringify(record).length + 1, 0));
      await run.write(writerBatch(A, batch));
    }
    await run.write(writerBatch(A, [FINAL]));

    const { files, ids } = await committedView(s3, bucket, run.dataPrefix);
    expect(ids).toEqual(idsOf(sent));
    const sizes = [...files.keys()].sort().map((key) => ({ key, size: files.get(key)?.length ?? 0 }));
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    // Every file but the last reached the limit, and rolled in the invocation that took it there.
    for (const { size } of sizes.slice(0, -1)) {
      expect(size).toBeGreaterThanOrEqual(12 * MIB);
      expect(size).toBeLessThan(12 * MIB + batchBytes);
    }
    expect(run.objects.requests.part).toBeGreaterThan(0);
    expect(run.objects.requests.complete).toBeGreaterThan(0);
    for (const { key, size } of sizes) {
      const parts = [...(run.parts.get(key) ?? new Map<number, number>())].sort(([a], [b]) => a - b);
      if (size >= 12 * MIB) expect(parts.length, key).toBeGreaterThanOrEqual(2);
      if (parts.length === 0) continue;
      // What S3 checks at completion: parts numbered from 1, every one but the last at least 5 MiB, adding up to the object.
      expect(parts.map(([number]) => number)).toEqual(parts.map((_, i) => i + 1));
      for (const [, bytes] of parts.slice(0, -1)) expect(bytes).toBeGreaterThanOrEqual(MIN_PART_BYTES);
      expect(parts.reduce((sum, [, bytes]) => sum + bytes, 0)).toBe(size);
    }
    const staged = await listObjects(s3, bucket, run.stagingPrefix);
    expect([...staged.keys()]).toEqual([]);
  }, 60_000);

  it('rolls a file once the rollover interval has passed since it was opened, and shows nothing before', async () => {
    const run = fakeTimeRun({ policy: { rolloverIntervalMs: 10 * MINUTE } });
    const sent: WriterInput[] = [];
    for (let minute = 0; minute <= 21; minute += 1) {
      run.time.now = Date.UTC(2026, 0, 1) + minute * MINUTE;
      const batch = minuteRecords(minute);
      const earlier = idsOf(sent);
      sent.push(...batch);
      await run.write(writerBatch(A, batch));
      const { files, ids } = await committedView(s3, bucket, run.dataPrefix);
      if (minute < 10) expect(files.size, `minute ${minute}`).toBe(0);
      if (minute === 10) {
        // Whether minute 10's own records made it in is the writer's choice; the first ten minutes' did.
        expect(files.size).toBe(1);
        expect(ids).toEqual(expect.arrayContaining(earlier));
      }
      if (minute > 10 && minute < 20) expect(files.size, `minute ${minute}`).toBe(1);
      if (minute === 21) expect(files.size).toBe(2);
    }
    await run.write(writerBatch(A, [FINAL]));
    const end = await committedView(s3, bucket, run.dataPrefix);
    expect(end.ids).toEqual(idsOf(sent));
  });

  it('rolls an inactive file on the next invocation after the pause, when that batch brings only a watermark', async () => {
    const run = fakeTimeRun({ policy: { inactivityIntervalMs: 5 * MINUTE } });
    const before: WriterInput[] = [];
    for (let minute = 0; minute <= 3; minute += 1) {
      run.time.now = Date.UTC(2026, 0, 1) + minute * MINUTE;
      const batch = minuteRecords(minute);
      before.push(...batch);
      await run.write(writerBatch(A, batch));
      expect((await committedView(s3, bucket, run.dataPrefix)).files.size, `minute ${minute}`).toBe(0);
    }
    run.time.now = Date.UTC(2026, 0, 1) + 9 * MINUTE;
    await run.write(writerBatch(A, [watermark('raw-0', '2015-01-01T00:04:00')]));
    const { files, ids } = await committedView(s3, bucket, run.dataPrefix);
    expect(files.size).toBe(1);
    expect(ids).toEqual(idsOf(before));
  });

  it('rolls an inactive file on the next invocation after the pause, before that batch’s records join it', async () => {
    const run = fakeTimeRun({ policy: { inactivityIntervalMs: 5 * MINUTE } });
    const before: WriterInput[] = [];
    for (let minute = 0; minute <= 3; minute += 1) {
      run.time.now = Date.UTC(2026, 0, 1) + minute * MINUTE;
      const batch = minuteRecords(minute);
      before.push(...batch);
      await run.write(writerBatch(A, batch));
      expect((await committedView(s3, bucket, run.dataPrefix)).files.size, `minute ${minute}`).toBe(0);
    }
    // Six minutes without a record; Lambda invokes again only when records arrive.
    run.time.now = Date.UTC(2026, 0, 1) + 9 * MINUTE;
    const after = minuteRecords(9);
    await run.write(writerBatch(A, after));
    const rolled = await committedView(s3, bucket, run.dataPrefix);
    expect(rolled.files.size).toBe(1);
    expect(rolled.ids).toEqual(idsOf(before));

    await run.write(writerBatch(A, [FINAL]));
    expect((await committedView(s3, bucket, run.dataPrefix)).ids).toEqual(idsOf([...before, ...after]));
  });

  it('rolls a quiet shard’s inactive file from the scheduled sweep, before the next batch arrives', async () => {
    const run = fakeTimeRun({ policy: { inactivityIntervalMs: 5 * MINUTE } });
    const before: WriterInput[] = [];
    for (let minute = 0; minute <= 3; minute += 1) {
      run.time.now = Date.UTC(2026, 0, 1) + minute * MINUTE;
      const batch = minuteRecords(minute);
      before.push(...batch);
      await run.write(writerBatch(A, batch));
    }
    for (let minute = 4; minute <= 8; minute += 1) {
      run.time.now = Date.UTC(2026, 0, 1) + minute * MINUTE;
      await run.sweep();
      expect((await committedView(s3, bucket, run.dataPrefix)).files.size, `minute ${minute}`).toBe(minute < 8 ? 0 : 1);
    }
    run.time.now = Date.UTC(2026, 0, 1) + 9 * MINUTE;
    const after = minuteRecords(9);
    await run.write(writerBatch(A, after));
    const rolled = await committedView(s3, bucket, run.dataPrefix);
    expect(rolled.files.size).toBe(1);
    expect(rolled.ids).toEqual(idsOf(before));

    await run.write(writerBatch(A, [FINAL]));
    const end = await committedView(s3, bucket, run.dataPrefix);
    expect(end.files.size).toBe(2);
    expect(end.ids).toEqual(idsOf([...before, ...after]));
  });

  it('leaves a shard its own invocations keep busy to them: the sweep settles only a shard quiet for SWEEP_QUIET_SECONDS', async () => {
    // The sweep saving a busy shard's state between an invocation's read and its save failed that
    // invocation (a function error, the batch delivered again): it now waits for the shard to go quiet.
    const run = fakeTimeRun({ policy: { inactivityIntervalMs: MINUTE }, sweepQuietMs: 3 * MINUTE });
    const at = (minutes: number): number => (run.time.now = Date.UTC(2026, 0, 1) + minutes * MINUTE);
    at(0);
    const sent = minuteRecords(0);
    await run.write(writerBatch(A, sent));
    // Inactive for 2 minutes, due by the policy; but its invocation was 2 minutes ago, under 3.
    at(2);
    expect(await run.sweep()).toEqual({ files: 0, records: 0, markers: 0 });
    expect((await committedView(s3, bucket, run.dataPrefix)).files.size).toBe(0);
    at(3);
    expect((await run.sweep()).files).toBe(1);
    expect((await committedView(s3, bucket, run.dataPrefix)).ids).toEqual(idsOf(sent));
  });

  it('keeps uncommitted data invisible under the data prefix, yet durable in staged objects', async () => {
    const run = createWriterRun({ s3, documents, bucket, table, shards: [A] });
    const sent = [minuteRecords(0, 20), minuteRecords(1, 20), minuteRecords(2, 20)];
    for (const batch of sent) await run.write(writerBatch(A, batch));

    const visible = await listObjects(s3, bucket, run.dataPrefix);
    expect([...visible.keys()].filter(isCommittedKey)).toEqual([]);
    const staged = await listObjects(s3, bucket, run.stagingPrefix);
    expect(staged.size).toBe(3);
    expect([...staged.keys()].every((key) => !isCommittedKey(key))).toBe(true);
    const stagedIds = [...staged].flatMap(([key, bytes]) => linesOf(key, bytes).map((record) => String(record.id))).sort();
    expect(stagedIds).toEqual(idsOf(sent.flat()));

    await run.write(writerBatch(A, [FINAL]));
    const end = await committedView(s3, bucket, run.dataPrefix);
    expect(end.ids).toEqual(idsOf(sent.flat()));
    expect([...(await listObjects(s3, bucket, run.stagingPrefix)).keys()]).toEqual([]);
  });
});
