import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type S3rverClass from '@20minutes/s3rver';

const PATCHED = Symbol.for('eddy.s3rver.continuationToken');

/**
 * Loads s3rver with ListObjectsV2 continuation tokens that work on Node 20. s3rver encrypts the
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
  return require('@20minutes/s3rver') as typeof S3rverClass;
}
