import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listObjects, type ListedObject } from '../../shared/adapters/listKeys.js';
import { forEachConcurrent } from '../../shared/batching/forEachConcurrent.js';
import { s3rverObjectPath } from '../stack/s3rver.js';

/** Objects copied at once. */
const CONCURRENCY = 16;

/** What {@link exportBucket} copied. */
export interface BucketExport {
  /** Objects written under the directory. */
  readonly objects: number;
  readonly bytes: number;
  /** Of `objects`, how many were read from the emulator's store rather than by GetObject. */
  readonly fromStore: number;
  /** Keys that cannot be a file path under the directory (a folder placeholder, `..` segments). */
  readonly skipped: readonly string[];
}

/** The object's bytes from the store, if they are there and match the listing (size and MD5 ETag). */
async function readFromStore(store: string, bucket: string, object: ListedObject): Promise<Uint8Array | undefined> {
  const body = await readFile(s3rverObjectPath(store, bucket, object.key)).catch(() => undefined);
  if (body === undefined || body.length !== object.size) return undefined;
  // A multipart ETag (with a dash) is not the MD5 of the bytes: such an object goes through GetObject.
  return createHash('md5').update(body).digest('hex') === object.etag ? body : undefined;
}

/**
 * Copies every object of `bucket` to `dir/<key>`. The listing comes from ListObjectsV2, and each
 * page is copied while the next is listed. With
 * `store` (the local S3 emulator's directory), each object is read from the emulator's files
 * and checked against the listing's size and ETag (the MD5 of the bytes): about 6× faster than a
 * GetObject each, which the emulator answers one at a time. An object missing from the store or
 * not matching is fetched with GetObject.
 */
export async function exportBucket(s3: S3Client, bucket: string, dir: string, store?: string): Promise<BucketExport> {
  const root = resolve(dir);
  const folders = new Map<string, Promise<unknown>>();
  const skipped: string[] = [];
  let bytes = 0;
  let fromStore = 0;
  const copy = async (object: ListedObject): Promise<void> => {
    const target = resolve(root, object.key);
    if (object.key.endsWith('/') || !target.startsWith(`${root}${sep}`)) {
      skipped.push(object.key);
      return;
    }
    let body = store === undefined ? undefined : await readFromStore(store, bucket, object);
    if (body !== undefined) fromStore += 1;
    else body = (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }))).Body?.transformToByteArray()) ?? new Uint8Array();
    bytes += body.length;
    const folder = dirname(target);
    if (!folders.has(folder)) folders.set(folder, mkdir(folder, { recursive: true }));
    await folders.get(folder);
    await writeFile(target, body);
  };
  // Each page is copied while the next is listed: the emulator lists, this process copies.
  const copies: Promise<void>[] = [];
  const objects = await listObjects(s3, bucket, '', {
    onPage: (page) => {
      const copied = forEachConcurrent(page, CONCURRENCY, copy);
      // Awaited below, once listed; until then a failure must not count as unhandled.
      copied.catch(() => undefined);
      copies.push(copied);
    },
  });
  await Promise.all(copies);
  return { objects: objects.length - skipped.length, bytes, fromStore, skipped };
}
