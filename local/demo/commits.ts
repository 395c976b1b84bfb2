import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createDynamoDBDocumentClient, createS3Client } from '../../shared/adapters/clients.js';
import { DynamoDBWriterStateStore } from '../../shared/adapters/DynamoDBWriterStateStore.js';
import { listKeys } from '../../shared/adapters/listKeys.js';
import { forEachConcurrent } from '../../shared/batching/forEachConcurrent.js';
import { RetryableError } from '../../shared/errors.js';
import { sleep } from '../../shared/retry.js';
import { SUCCESS_FILE } from '../../shared/writer/partitionCommit.js';
import type { PipelineRun } from './pipeline.js';

/** Where the S3 writers stage data not yet committed, unless a writer's `STAGING_PREFIX` says otherwise. */
const DEFAULT_STAGING_PREFIX = '_eddy/in-progress/';

/** S3 calls in flight while checking markers. */
const S3_CONCURRENCY = 16;

/** How often the writer state is read while waiting for the files to commit. */
const POLL_MS = 500;

/** How often the commit wait says what it still waits for. */
const REPORT_MS = 5_000;

/**
 * What the S3 writers still have to do, one phrase per writer with work left: files open or
 * rolled but not committed, partitions whose `_SUCCESS` is not there yet, staged objects.
 * A partition a shard still lists as unmarked counts as done once its marker exists: another
 * shard's invocation wrote it, and this shard's entry only goes at its next settle.
 */
function commitChecker(run: PipelineRun): () => Promise<string[]> {
  const writers = run.model.functions.filter((fn) => fn.environment.WRITER_NAME !== undefined && fn.environment.STATE_TABLE !== undefined);
  const dynamodb = createDynamoDBDocumentClient();
  const s3 = createS3Client();
  const stores = writers.map((fn) => ({
    fn,
    bucket: fn.environment.BUCKET ?? run.names.bucket,
    store: new DynamoDBWriterStateStore(dynamodb, fn.environment.STATE_TABLE as string, fn.environment.WRITER_NAME as string),
  }));
  const staging = [...new Set(stores.map(({ fn, bucket }) => `${bucket}/${fn.environment.STAGING_PREFIX ?? DEFAULT_STAGING_PREFIX}`))];
  // Markers seen once stay: nothing deletes a _SUCCESS.
  const marked = new Set<string>();
  return async () => {
    const left: string[] = [];
    for (const { fn, bucket, store } of stores) {
      const states = [...(await store.readAll()).values()];
      const open = states.reduce((n, state) => n + state.files.length, 0);
      const pending = states.reduce((n, state) => n + state.pending.length, 0);
      const unmarked = [...new Set(states.flatMap((state) => state.unmarked.map((entry) => `${bucket}/${entry.prefix}${SUCCESS_FILE}`)))].filter((marker) => !marked.has(marker));
      await forEachConcurrent(unmarked, S3_CONCURRENCY, async (marker) => {
        const found = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: marker.slice(bucket.length + 1) })).then(
          () => true,
          (error: unknown) => {
            if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return false;
            throw error;
          },
        );
        if (found) marked.add(marker);
      });
      const unmarkedLeft = unmarked.filter((marker) => !marked.has(marker)).length;
      if (open + pending + unmarkedLeft > 0) left.push(`${fn.key}: ${open} open, ${pending} pending file(s), ${unmarkedLeft} partition(s) without ${SUCCESS_FILE}`);
    }
    for (const place of staging) {
      const [bucket = '', prefix = ''] = place.split(/\/(.*)/s);
      if ((await listKeys(s3, bucket, prefix, { limit: 1 })).length > 0) left.push(`staged objects remain under s3://${place}`);
    }
    return left;
  };
}

/** Waits until every S3 writer has committed every file and marked every partition, or the deadline passes. */
export async function waitForCommits(run: PipelineRun): Promise<void> {
  const started = performance.now();
  const outstanding = commitChecker(run);
  let reported = performance.now();
  for (;;) {
    const left = await outstanding();
    if (left.length === 0) break;
    if (Date.now() > run.deadline) throw new RetryableError(`the S3 writers did not commit every file within the --timeout: ${left.join('; ')}. Function logs are in ${run.logDir}.`);
    if (performance.now() - reported >= REPORT_MS) {
      reported = performance.now();
      run.log(`   waiting for files to commit: ${left.join('; ')}`);
    }
    await sleep(POLL_MS);
  }
  run.say(`⑥ every file committed and every partition marked ${SUCCESS_FILE} (${((performance.now() - started) / 1000).toFixed(1)} s after the drain); nothing staged`);
}

