import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { RetryableError } from '../errors.js';
import type { ObjectStore, PartTag } from '../ports/ObjectStore.js';

/** DeleteObjects takes at most 1,000 keys (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html). */
const DELETE_MAX_KEYS = 1000;

/** The request kinds counted, for cost figures. */
export type S3RequestKind = 'put' | 'get' | 'head' | 'create' | 'part' | 'complete' | 'delete';

const isNamed = (error: unknown, ...names: string[]): boolean => error instanceof Error && names.includes(error.name);

/** {@link ObjectStore} on one S3 bucket. Counts its requests by kind. */
export class S3ObjectStore implements ObjectStore {
  /** Requests made, by kind. */
  public readonly requests: Record<S3RequestKind, number> = { put: 0, get: 0, head: 0, create: 0, part: 0, complete: 0, delete: 0 };

  public constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  public async put(key: string, body: Uint8Array | string): Promise<void> {
    this.requests.put += 1;
    // The length given, as the SDK cannot tell it for an empty body (a `_SUCCESS`) and warns of a stream of unknown length.
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: length }));
  }

  public async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    this.requests.get += 1;
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
    const bytes = Buffer.from((await response.Body?.transformToByteArray()) ?? []);
    if (bytes.length !== length) throw new RetryableError(`s3://${this.bucket}/${key} gave ${bytes.length} bytes at ${offset}, expected ${length}`);
    return bytes;
  }

  public async createUpload(key: string): Promise<string> {
    this.requests.create += 1;
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    if (UploadId === undefined) throw new RetryableError(`CreateMultipartUpload for s3://${this.bucket}/${key} answered no UploadId`);
    return UploadId;
  }

  public async uploadPart(key: string, uploadId: string, number: number, body: Uint8Array): Promise<string> {
    this.requests.part += 1;
    const { ETag } = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: body }));
    if (ETag === undefined) throw new RetryableError(`UploadPart ${number} of s3://${this.bucket}/${key} answered no ETag`);
    return ETag;
  }

  public async completeUpload(key: string, uploadId: string, parts: readonly PartTag[], last?: { readonly number: number; readonly body: Uint8Array }): Promise<void> {
    try {
      const all = last === undefined ? parts : [...parts, { number: last.number, etag: await this.uploadPart(key, uploadId, last.number, last.body) }];
      this.requests.complete += 1;
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: all.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
        }),
      );
    } catch (error) {
      // An earlier attempt completed it and died before recording so: the object is there.
      if (!isNamed(error, 'NoSuchUpload') || !(await this.exists(key))) throw error;
    }
  }

  public async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_MAX_KEYS) {
      this.requests.delete += 1;
      const { Errors = [] } = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + DELETE_MAX_KEYS).map((Key) => ({ Key })), Quiet: true } }),
      );
      if (Errors.length > 0) throw new RetryableError(`DeleteObjects failed for ${Errors.length} keys, first ${Errors[0]?.Key}: ${Errors[0]?.Message}`);
    }
  }

  private async exists(key: string): Promise<boolean> {
    this.requests.head += 1;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNamed(error, 'NotFound', 'NoSuchKey')) return false;
      throw error;
    }
  }
}
