import { describe, expect, it, beforeAll } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isCommittedKey } from '../../../shared/lake/committedKey.js';
import type { WriterInput } from '../../../shared/operators/s3Writer.js';
import { useTestStack } from '../../helpers/stack.js';
import { Crash, FINAL, createWriterRun, createWriterStack, linesOf, listObjects, records, watermark, writerBatch, type CrashPlan, type WriterRunOptions } from '../../helpers/writerRun.js';

useTestStack();
const A = 'shardId-000000000000';
const B = 'shardId-000000000001';
let s3: S3Client;
let documents: DynamoDBDocumentClient;
let bucket: string;
let table: string;

beforeAll(async () => {
  ({ s3, documents, bucket, table } = await createWriterStack('writer'));
});

/** Two shards over three event hours, watermarks behind the records, then the end of input. */
function scenario(): { shard: string; values: WriterInput[] }[] {
  return [
    { shard: A, values: [...records('a0', 20, '2015-01-01T00:00:00', 90_000, 40), watermark('raw-0', '2015-01-01T00:30:00')] },
    { shard: B, values: [...records('b0', 20, '2015-01-01T00:20:00', 90_000, 40), watermark('raw-0', '2015-01-01T00:30:00')] },
    { shard: A, values: [...records('a1', 30, '2015-01-01T00:40:00', 120_000, 40), watermark('raw-0', '2015-01-01T01:30:00')] },
    { shard: B, values: [...records('b1', 30, '2015-01-01T01:00:00', 120_000, 40), watermark('raw-0', '2015-01-01T01:30:00')] },
    { shard: A, values: [...records('a2', 10, '2015-01-01T01:40:00', 60_000, 40), FINAL] },
    { shard: B, values: [...records('b2', 10, '2015-01-01T02:00:00', 60_000, 40), FINAL] },
  ];
}

const expectedIds = (steps: ReturnType<typeof scenario>): string[] =>
  steps.flatMap((step) => step.values.flatMap((value) => ('id' in value ? [String(value.id)] : []))).sort();

/** Runs the scenario; a batch whose invocation crashes is delivered again, as Lambda would. */
async function run(options: Partial<WriterRunOptions> & { plan?: CrashPlan }, onCrash?: (dataPrefix: string) => Promise<void>) {
  const writerRun = createWriterRun({ s3, documents, bucket, table, shards: [A, B], policy: { fileSizeBytes: 2_000 }, ...options });
  const steps = scenario();
  let crashes = 0;
  for (const step of steps) {
    const batch = writerBatch(step.shard, step.values);
    for (;;) {
      try {
        await writerRun.write(batch);
        break;
      } catch (error) {
        if (!(error instanceof Crash)) throw error;
        crashes += 1;
        await onCrash?.(writerRun.dataPrefix);
      }
    }
  }
  return { ...writerRun, crashes, expected: expectedIds(steps) };
}

/** The committed files under a prefix, their records' ids, and the partitions with `_SUCCESS`. */
async function committed(prefix: string) {
  const objects = await listObjects(s3, bucket, prefix);
  const files = [...objects].filter(([key]) => isCommittedKey(key) && !key.includes('/errors/'));
  const ids = files.flatMap(([key, bytes]) => linesOf(key, bytes).map((record) => String(record.id))).sort();
  const markers = [...objects.keys()].filter((key) => key.endsWith('/_SUCCESS')).map((key) => key.slice(prefix.length)).sort();
  return { objects, files, ids, markers };
}

describe('Writer: S3 files, exactly once', () => {
  it('writes every record into exactly one committed file, rolls at the size limit and marks every partition', async () => {
    const { dataPrefix, expected } = await run({});
    const { ids, files, markers, objects } = await committed(dataPrefix);
    expect(ids).toEqual(expected);
    expect(files.length).toBeGreaterThan(6);
    expect(markers).toEqual(['year=2015/month=01/day=01/hour=00/_SUCCESS', 'year=2015/month=01/day=01/hour=01/_SUCCESS', 'year=2015/month=01/day=01/hour=02/_SUCCESS']);
    const staged = await listObjects(s3, bucket, '_eddy/in-progress/');
    expect([...staged.keys()].filter((key) => key.includes(dataPrefix.split('/')[1] as string))).toEqual([]);
    expect(objects.size).toBe(files.length + markers.length);
  });

  // Every call position of a clean run, before and after the call.
  for (const after of [false, true]) {
    it(`keeps every record exactly once, and committed files unchanged, when an invocation crashes ${after ? 'after' : 'before'} any S3 or DynamoDB call`, async () => {
      const clean = await run({});
      const total = clean.calls.length;
      const cleanMarkers = (await committed(clean.dataPrefix)).markers;
      let crashes = 0;
      for (let countdown = 1; countdown <= total; countdown += 1) {
        const seen = new Map<string, Buffer>();
        const result = await run({ plan: { countdown, after } }, async (prefix) => {
          // What readers see right after a crash: committed files only, each record once, and never changed later.
          const now = await committed(prefix);
          expect(new Set(now.ids).size).toBe(now.ids.length);
          for (const [key, bytes] of now.files) seen.set(key, bytes);
        });
        crashes += result.crashes;
        const end = await committed(result.dataPrefix);
        expect(end.ids, `crash ${after ? 'after' : 'before'} call ${countdown}`).toEqual(result.expected);
        for (const [key, bytes] of seen) expect(end.objects.get(key)?.equals(bytes), `${key} changed after the crash`).toBe(true);
        expect(end.markers).toEqual(cleanMarkers);
      }
      expect(crashes).toBe(total);
    }, 600_000);
  }
});
