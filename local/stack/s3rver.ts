import { readFileSync } from 'node:fs';
import { rmdir, unlink } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type S3rverClass from '@20minutes/s3rver';

const PATCHED = Symbol.for('eddy.s3rver.continuationToken');
const REMEMBERED = Symbol.for('eddy.s3rver.bucketConfig');

/**
 * Loads s3rver with ListObjectsV2 continuation tokens that work on Node 20, and a DeleteObject
 * that cannot delete another object (see `patchDeleteObject`).
 *
 * It also keeps each bucket's existence and configuration in memory (see `rememberBucketConfig`).
 *
 * The tokens: s3rver encrypts the
 * token with single DES, which OpenSSL 3 no longer provides, so any listing of more than one
 * page answers `InternalError`. Its bucket controller is compiled with Triple DES instead (same
 * 8-byte block, a 24-byte key) and placed in the module cache before s3rver loads it; nothing
 * else changes, and a token is still opaque to clients.
 */
export function loadS3rver(): typeof S3rverClass {
  const require = createRequire(import.meta.url);
  const path = require.resolve('@20minutes/s3rver/lib/controllers/bucket.js');
  const cached = require.cache[path] as (NodeJS.Module & { [PATCHED]?: true }) | undefined;
  if (cached?.[PATCHED] !== true) {
    const source = readFileSync(path, 'utf8')
      .replaceAll("Buffer.alloc(8, 'S3RVER', 'utf8')", "Buffer.alloc(24, 'S3RVER', 'utf8')")
      .replaceAll("createCipheriv('des',", "createCipheriv('des-ede3-cbc',")
      .replaceAll("createDecipheriv('des',", "createDecipheriv('des-ede3-cbc',");
    const patched = new Module(path) as NodeJS.Module & { _compile(code: string, filename: string): void; [PATCHED]?: true };
    patched.filename = path;
    patched.paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(dirname(path));
    patched._compile(source, path);
    patched.loaded = true;
    patched[PATCHED] = true;
    require.cache[path] = patched;
  }
  const store = require('@20minutes/s3rver/lib/stores/filesystem.js') as FilesystemStoreClass;
  patchDeleteObject(store);
  rememberBucketConfig(store);
  return require('@20minutes/s3rver') as typeof S3rverClass;
}

interface FilesystemStoreClass {
  prototype: {
    rootDirectory?: string;
    getBucketPath(bucket: string): string;
    getResourcePath(bucket: string, key: string, resource: string): string;
    deleteObject(bucket: string, key: string): Promise<void>;
    getBucket(bucket: string): Promise<unknown>;
    putBucket(bucket: string): Promise<unknown>;
    deleteBucket(bucket: string): Promise<void>;
    getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
    putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
    deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
    reset(): void;
    [PATCHED]?: true;
    [REMEMBERED]?: true;
  };
}

/**
 * Where s3rver's filesystem store rooted at `root` keeps the bytes of `key` (its own
 * `getResourcePath`), for reading a local bucket in bulk without an HTTP request per object.
 */
export function s3rverObjectPath(root: string, bucket: string, key: string): string {
  const store = createRequire(import.meta.url)('@20minutes/s3rver/lib/stores/filesystem.js') as FilesystemStoreClass;
  return store.prototype.getResourcePath.call({ rootDirectory: root } as FilesystemStoreClass['prototype'], bucket, key, 'object');
}

const ignore = (...codes: string[]) => (error: NodeJS.ErrnoException): void => {
  if (!codes.includes(error.code ?? '')) throw error;
};

/**
 * s3rver's DeleteObject removes the key's parent folders once it finds them empty, with a
 * recursive delete: an object another request writes into one of them between the check and
 * the delete is lost (two S3 writers staging under `_eddy/in-progress/` lost staged objects
 * this way). Folders are removed here one at a time and only while empty (`rmdir` refuses a
 * folder that is not), as S3's flat namespace would have it.
 */
function patchDeleteObject(store: FilesystemStoreClass): void {
  if (store.prototype[PATCHED] === true) return;
  store.prototype[PATCHED] = true;
  store.prototype.deleteObject = async function deleteObject(bucket, key) {
    await Promise.all(['object', 'object.md5', 'metadata.json'].map((resource) => unlink(this.getResourcePath(bucket, key, resource)).catch(ignore('ENOENT'))));
    const parts = key.split('/').slice(0, -1);
    for (; parts.length > 0; parts.pop()) {
      const removed = await rmdir(join(this.getBucketPath(bucket), ...parts)).then(() => true, (error: NodeJS.ErrnoException) => (ignore('ENOTEMPTY', 'EEXIST', 'ENOENT')(error), false));
      if (!removed) return;
    }
  };
}

/** What each store has read of its buckets: existence and bucket-level configurations, by bucket. */
const remembered = new WeakMap<object, Map<string, Map<string, Promise<unknown>>>>();

/**
 * s3rver asks its store on every request whether the bucket exists (a `stat`) and for the
 * bucket's CORS and website configurations (a `readFile` each, failing with ENOENT when there is
 * none, as on every bucket here): three file calls before any request does its work. A store now
 * remembers those answers, and forgets a bucket's when it is created, deleted or configured
 * through it, and everything at a reset. The store is the only writer of its directory (one
 * daemon per stack), so what it remembers stays true. Object-level subresources are read as
 * before. A small PutObject costs ~5 % less CPU, client included (docs/benchmarks.md).
 */
function rememberBucketConfig(store: FilesystemStoreClass): void {
  const proto = store.prototype;
  if (proto[REMEMBERED] === true) return;
  proto[REMEMBERED] = true;
  const { getBucket, putBucket, deleteBucket, getSubresource, putSubresource, deleteSubresource, reset } = proto;
  const answersOf = (self: object, bucket: string): Map<string, Promise<unknown>> => {
    const buckets = remembered.get(self) ?? new Map<string, Map<string, Promise<unknown>>>();
    remembered.set(self, buckets);
    const answers = buckets.get(bucket) ?? new Map<string, Promise<unknown>>();
    buckets.set(bucket, answers);
    return answers;
  };
  const remember = (self: object, bucket: string, what: string, read: () => Promise<unknown>): Promise<unknown> => {
    const answers = answersOf(self, bucket);
    const known = answers.get(what);
    if (known !== undefined) return known;
    const answer = read();
    answers.set(what, answer);
    // A failed read is not an answer: the next request asks again.
    answer.catch(() => answers.get(what) === answer && answers.delete(what));
    return answer;
  };
  const forget = (self: object, bucket: string): void => void remembered.get(self)?.delete(bucket);
  /** Runs a change to a bucket, forgetting what was known of it before and after. */
  const changing = async <T>(self: object, bucket: string, change: () => Promise<T>): Promise<T> => {
    forget(self, bucket);
    return change().finally(() => forget(self, bucket));
  };
  proto.getBucket = function (bucket) {
    return remember(this, bucket, 'bucket', () => getBucket.call(this, bucket));
  };
  proto.getSubresource = function (bucket, key, type) {
    return key === undefined ? remember(this, bucket, type, () => getSubresource.call(this, bucket, key, type)) : getSubresource.call(this, bucket, key, type);
  };
  proto.putBucket = function (bucket) {
    return changing(this, bucket, () => putBucket.call(this, bucket));
  };
  proto.deleteBucket = function (bucket) {
    return changing(this, bucket, () => deleteBucket.call(this, bucket));
  };
  proto.putSubresource = function (bucket, key, resource) {
    return changing(this, bucket, () => putSubresource.call(this, bucket, key, resource));
  };
  proto.deleteSubresource = function (bucket, key, type) {
    return changing(this, bucket, () => deleteSubresource.call(this, bucket, key, type));
  };
  proto.reset = function () {
    remembered.delete(this);
    reset.call(this);
  };
}
