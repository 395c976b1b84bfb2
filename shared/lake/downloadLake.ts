/**
 * Copies the committed objects under some prefixes of a bucket into a local directory, keys
 * kept as paths, so a local engine (DuckDB) reads the Hive partitions from the paths as Athena
 * does from the keys. `.gz` objects are gunzipped on the way and lose the suffix.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listKeys } from '../adapters/listKeys.js';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import { isCommittedKey } from './committedKey.js';

const gunzipAsync = promisify(gunzip);

/** Options of {@link downloadLake}. */
export interface DownloadLakeOptions {
  /** GetObject calls in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Keys per ListObjectsV2 page (S3 returns at most 1,000). @default S3's (1,000) */
  readonly pageSize?: number;
}

/** What {@link downloadLake} copied. */
export interface DownloadedLake {
  /** The local paths written, relative to the directory (the keys, without `.gz`). */
  readonly paths: readonly string[];
  /** Keys listed but skipped as not committed (markers, in-progress objects). */
  readonly skipped: readonly string[];
}


/**
 * Downloads the committed objects under `prefixes` into `directory`, mirroring their keys.
 * @param s3 - the S3 client
 * @param bucket - the bucket
 * @param prefixes - key prefixes to copy
 * @param directory - an existing local directory
 * @param options - concurrency and page size
 */
export async function downloadLake(s3: S3Client, bucket: string, prefixes: readonly string[], directory: string, options: DownloadLakeOptions = {}): Promise<DownloadedLake> {
  const listed = (await Promise.all(prefixes.map((prefix) => listKeys(s3, bucket, prefix, { ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }) })))).flat();
  const keys = listed.filter(isCommittedKey);
  const paths: string[] = [];
  await forEachConcurrent(keys, options.concurrency ?? 8, async (key) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    const gzipped = key.endsWith('.gz');
    const path = gzipped ? key.slice(0, -'.gz'.length) : key;
    const target = join(directory, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, gzipped ? await gunzipAsync(bytes) : bytes);
    paths.push(path);
  });
  return { paths: paths.sort(), skipped: listed.filter((key) => !isCommittedKey(key)) };
}
