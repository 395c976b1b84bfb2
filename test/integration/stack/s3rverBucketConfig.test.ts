import { CreateBucketCommand, DeleteBucketCommand, DeleteBucketCorsCommand, DeleteObjectCommand, PutBucketCorsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../shared/adapters/clients.js';
import { createTestBucket, uniqueName, useTestStack } from '../../helpers/stack.js';

const env = useTestStack();
const ORIGIN = 'http://dashboard.example';

/** Whether a CORS preflight for a PUT of `key` from {@link ORIGIN} is allowed. */
async function preflight(bucket: string, key: string): Promise<boolean> {
  const response = await fetch(`${env.AWS_ENDPOINT_URL_S3}/${bucket}/${key}`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'PUT' } });
  return response.ok && response.headers.has('access-control-allow-origin');
}

describe('Local stack: the S3 emulator remembers what it knows of a bucket', () => {
  it('applies a CORS configuration put or deleted after requests that found none', async () => {
    const s3 = createS3Client();
    const bucket = uniqueName('cors');
    await createTestBucket(s3, bucket);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.json', Body: '{}' }));
    expect(await preflight(bucket, 'a.json')).toBe(false);

    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: [ORIGIN], AllowedMethods: ['PUT', 'GET'] }] } }));
    expect(await preflight(bucket, 'a.json')).toBe(true);

    await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    expect(await preflight(bucket, 'a.json')).toBe(false);
  });

  it('refuses writes to a bucket once deleted, and takes them again once created', async () => {
    const s3 = createS3Client();
    const bucket = uniqueName('gone');
    await createTestBucket(s3, bucket);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.json', Body: '{}' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a.json' }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));

    await expect(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'b.json', Body: '{}' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });

    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await expect(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'b.json', Body: '{}' }))).resolves.toBeDefined();
  });
});
