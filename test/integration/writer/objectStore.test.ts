import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createS3Client } from '../../../shared/adapters/clients.js';
import { S3ObjectStore } from '../../../shared/adapters/S3ObjectStore.js';
import { createTestBucket, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();

describe('Adapter: S3 object store', () => {
  afterEach(() => vi.restoreAllMocks());

  it('puts an empty marker and a body with their lengths, without the SDK warning of a stream of unknown length', async () => {
    const client = createS3Client();
    const bucket = uniqueName('eddy-objects');
    await createTestBucket(client as S3Client, bucket);
    const warn = vi.spyOn(console, 'warn');
    const store = new S3ObjectStore(client, bucket);
    await store.put('year=2015/_SUCCESS', '');
    await store.put('year=2015/part-0.json', 'é\n');
    expect(warn).not.toHaveBeenCalled();
    const sizes = await Promise.all(['year=2015/_SUCCESS', 'year=2015/part-0.json'].map(async (Key) => (await client.send(new HeadObjectCommand({ Bucket: bucket, Key }))).ContentLength));
    expect(sizes).toEqual([0, 3]);
  });
});
