import { createHash } from 'node:crypto';
import { RetryableError } from '../errors.js';
import type { ObjectStore, PartTag } from '../ports/ObjectStore.js';
import type { S3RequestKind } from './S3ObjectStore.js';

/** S3's minimum size of every part but the last (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html). */
const MIN_PART_BYTES = 5 * 1024 * 1024;

/** DeleteObjects takes at most 1,000 keys (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html). */
const DELETE_MAX_KEYS = 1000;

/** An error named as S3 names it, so callers branch on `name` as they do with the SDK's. */
const s3Error = (name: string, message: string): Error => Object.assign(new Error(message), { name });

interface Upload {
  readonly key: string;
  readonly parts: Map<number, { readonly etag: string; readonly body: Buffer }>;
}

/**
 * {@link ObjectStore} in memory, with S3's semantics where the writer relies on them: a
 * multipart upload's parts are held apart and the object appears only at its completion, every
 * part but the last must hold 5 MiB, and completing an upload an earlier attempt completed
 * succeeds when the object is there. Counts requests by the same kinds as `S3ObjectStore`: for
 * the writer's unit tests and its benchmark, where S3's latency would hide the operator's cost.
 */
export class InMemoryObjectStore implements ObjectStore {
  /** Requests `S3ObjectStore` would have made for the same calls, by kind. */
  public readonly requests: Record<S3RequestKind, number> = { put: 0, get: 0, head: 0, create: 0, part: 0, complete: 0, delete: 0 };
  /** The visible objects by key. */
  public readonly objects = new Map<string, Buffer>();
  private readonly uploads = new Map<string, Upload>();
  private uploadCount = 0;

  public async put(key: string, body: Uint8Array | string): Promise<void> {
    this.requests.put += 1;
    this.objects.set(key, typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body));
  }

  public async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    this.requests.get += 1;
    const object = this.objects.get(key);
    if (object === undefined) throw s3Error('NoSuchKey', `no object ${key}`);
    if (offset + length > object.length) throw new RetryableError(`${key} gave ${Math.max(0, object.length - offset)} bytes at ${offset}, expected ${length}`);
    // A copy, as a GetObject response is: the caller holds its own bytes.
    return Buffer.from(object.subarray(offset, offset + length));
  }

  public async createUpload(key: string): Promise<string> {
    this.requests.create += 1;
    this.uploadCount += 1;
    const uploadId = `upload-${this.uploadCount}`;
    this.uploads.set(uploadId, { key, parts: new Map() });
    return uploadId;
  }

  public async uploadPart(key: string, uploadId: string, number: number, body: Uint8Array): Promise<string> {
    this.requests.part += 1;
    const upload = this.uploadOf(key, uploadId);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    upload.parts.set(number, { etag, body: Buffer.from(body) });
    return etag;
  }

  public async completeUpload(key: string, uploadId: string, parts: readonly PartTag[], last?: { readonly number: number; readonly body: Uint8Array }): Promise<void> {
    try {
      const all = last === undefined ? parts : [...parts, { number: last.number, etag: await this.uploadPart(key, uploadId, last.number, last.body) }];
      this.requests.complete += 1;
      const upload = this.uploadOf(key, uploadId);
      const bodies = all.map((tag, i) => {
        const part = upload.parts.get(tag.number);
        if (part === undefined || part.etag !== tag.etag) throw s3Error('InvalidPart', `part ${tag.number} of ${key} was not uploaded with ETag ${tag.etag}`);
        if (i > 0 && tag.number <= (all[i - 1] as PartTag).number) throw s3Error('InvalidPartOrder', `parts of ${key} must be in ascending order`);
        if (i < all.length - 1 && part.body.length < MIN_PART_BYTES) throw s3Error('EntityTooSmall', `part ${tag.number} of ${key} is ${part.body.length} bytes, under 5 MiB`);
        return part.body;
      });
      this.objects.set(key, Buffer.concat(bodies));
      this.uploads.delete(uploadId);
    } catch (error) {
      // As S3ObjectStore: an earlier attempt completed it and died before recording so.
      if (!(error instanceof Error && error.name === 'NoSuchUpload')) throw error;
      this.requests.head += 1;
      if (!this.objects.has(key)) throw error;
    }
  }

  public async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_MAX_KEYS) {
      this.requests.delete += 1;
      for (const key of keys.slice(i, i + DELETE_MAX_KEYS)) this.objects.delete(key);
    }
  }

  /** Bytes held: visible objects, and parts of uploads not yet completed. */
  public heldBytes(): { readonly objects: number; readonly parts: number } {
    let objects = 0;
    let parts = 0;
    for (const body of this.objects.values()) objects += body.length;
    for (const upload of this.uploads.values()) for (const part of upload.parts.values()) parts += part.body.length;
    return { objects, parts };
  }

  private uploadOf(key: string, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (upload === undefined || upload.key !== key) throw s3Error('NoSuchUpload', `no upload ${uploadId} of ${key}`);
    return upload;
  }
}
