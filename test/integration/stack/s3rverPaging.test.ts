import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../shared/adapters/clients.js';
import { forEachConcurrent } from '../../../shared/batching/forEachConcurrent.js';
import { createTestBucket, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();

describe('Local stack: S3 listings in pages', () => {
  it('lists a prefix of 250 objects in pages of 100 (s3rver’s continuation tokens work on Node 20)', async () => {
    const s3 = createS3Client();
    const bucket = uniqueName('paging');
    await createTestBucket(s3, bucket);
    const keys = Array.from({ length: 250 }, (_, i) => `data/part-${String(i).padStart(4, '0')}.json`);
    await forEachConcurrent(keys, 16, async (key) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{}' }));
    });
    const listed: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'data/', MaxKeys: 100, ...(token ? { ContinuationToken: token } : {}) }));
      listed.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      token = page.NextContinuationToken;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(listed).toEqual(keys);
  });

  it('never loses an object written while another delete empties a neighbouring folder', async () => {
    // s3rver removed emptied parent folders recursively after a check: a write landing in between was lost.
    const s3 = createS3Client();
    const bucket = uniqueName('rmdir');
    await createTestBucket(s3, bucket);
    const written = Array.from({ length: 400 }, (_, i) => `stage${i}/y/part`);
    await forEachConcurrent(written, 8, async (key, i) => {
      const doomed = `stage${i}/x/part`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: doomed, Body: 'x' }));
      await Promise.all([s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: doomed }] } })), s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: String(i) }))]);
    });
    const lost: string[] = [];
    await forEachConcurrent(written, 16, async (key, i) => {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then((out) => out.Body?.transformToString(), () => undefined);
      if (body !== String(i)) lost.push(key);
    });
    expect(lost).toEqual([]);
  });
});
