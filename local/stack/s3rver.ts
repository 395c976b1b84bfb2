import { readFileSync } from 'node:fs';
import { rmdir, unlink } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type S3rverClass from '@20minutes/s3rver';

const PATCHED = Symbol.for('eddy.s3rver.continuationToken');

/**
 * Loads s3rver with ListObjectsV2 continuation tokens that work on Node 20, and a DeleteObject
 * that cannot delete another object (see `patchDeleteObject`).
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
  patchDeleteObject(require('@20minutes/s3rver/lib/stores/filesystem.js') as FilesystemStoreClass);
  return require('@20minutes/s3rver') as typeof S3rverClass;
}

interface FilesystemStoreClass {
  prototype: {
    rootDirectory?: string;
    getBucketPath(bucket: string): string;
    getResourcePath(bucket: string, key: string, resource: string): string;
    deleteObject(bucket: string, key: string): Promise<void>;
    [PATCHED]?: true;
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
