import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../shared/adapters/clients.js';
import { listKeys, listObjects } from '../../../shared/adapters/listKeys.js';
import { createTestBucket, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const s3 = createS3Client();
const bucket = uniqueName('eddy-keys');
const KEYS = ['a/1', 'a/2', 'a/3', 'a/4', 'a/5', 'b/1'];

beforeAll(async () => {
  await createTestBucket(s3, bucket);
  for (const key of KEYS) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
});

describe('Adapter: listKeys', () => {
  it('follows continuation tokens across pages, under a prefix or over the whole bucket', async () => {
    expect(await listKeys(s3, bucket, 'a/', { pageSize: 2 })).toEqual(['a/1', 'a/2', 'a/3', 'a/4', 'a/5']);
    expect(await listKeys(s3, bucket, '')).toEqual(KEYS);
  });

  it('stops at the limit, whatever the page size', async () => {
    expect(await listKeys(s3, bucket, '', { limit: 1 })).toEqual(['a/1']);
    expect(await listKeys(s3, bucket, 'a/', { limit: 3, pageSize: 2 })).toEqual(['a/1', 'a/2', 'a/3']);
    expect(await listKeys(s3, bucket, 'c/', { limit: 1 })).toEqual([]);
  });

  it('hands each page to onPage as it arrives, before asking for the next', async () => {
    const events: string[] = [];
    const listed = await listObjects(s3, bucket, 'a/', { pageSize: 2, onPage: (page) => events.push(page.map((object) => object.key).join(',')) });
    expect(events).toEqual(['a/1,a/2', 'a/3,a/4', 'a/5']);
    expect(listed.map((object) => object.key)).toEqual(['a/1', 'a/2', 'a/3', 'a/4', 'a/5']);
    const limited: string[] = [];
    await listObjects(s3, bucket, 'a/', { pageSize: 2, limit: 3, onPage: (page) => limited.push(page.map((object) => object.key).join(',')) });
    expect(limited).toEqual(['a/1,a/2', 'a/3']);
  });
});
