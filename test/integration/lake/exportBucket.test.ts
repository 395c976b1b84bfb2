import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportBucket } from '../../../local/demo/exportBucket.js';
import { s3rverObjectPath } from '../../../local/stack/s3rver.js';
import { createS3Client } from '../../../shared/adapters/clients.js';
import { createTestBucket, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const s3 = createS3Client();
const store = inject('s3Directory');
const OBJECTS: Record<string, string> = {
  'data/year=2015/month=01/part-1.json': '{"a":1}\n{"a":2}\n',
  'data/year=2015/month=01/_SUCCESS': '',
  'errors/enrich/x y+z.json': '{"reason":"schema"}\n',
  'top.txt': 'top',
};

/** Every file under `dir`, by path relative to it, with its text. */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = await readFile(path, 'utf8');
  }
  return files;
}

describe('eddy run: exportBucket', () => {
  const bucket = uniqueName('eddy-export');
  let out: string;
  beforeAll(async () => {
    await createTestBucket(s3, bucket);
    for (const [key, body] of Object.entries(OBJECTS)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  });
  afterEach(() => rm(out, { recursive: true, force: true }));

  it('reads every object from the emulator store, checked against the listing, and writes it under its key', async () => {
    out = await mkdtemp(join(tmpdir(), 'eddy-export-'));
    const exported = await exportBucket(s3, bucket, out, store);
    expect(exported).toEqual({ objects: 4, bytes: Object.values(OBJECTS).join('').length, fromStore: 4, skipped: [] });
    expect(await filesUnder(out)).toEqual(OBJECTS);
  });

  it('fetches with GetObject what the store does not hold as listed, and everything without a store', async () => {
    out = await mkdtemp(join(tmpdir(), 'eddy-export-'));
    const key = 'errors/enrich/x y+z.json';
    const path = s3rverObjectPath(store, bucket, key);
    const original = await readFile(path);
    // Same size, other bytes: only the MD5 tells them apart.
    await writeFile(path, Buffer.from(original.toString('utf8').replace('schema', 'SCHEMA')));
    try {
      const exported = await exportBucket(s3, bucket, out, store);
      expect(exported.fromStore).toBe(3);
      // s3rver serves its file too: what counts is that the export took the GetObject path for it.
      expect((await filesUnder(out))[key]).toBe('{"reason":"SCHEMA"}\n');
    } finally {
      await writeFile(path, original);
    }
    const without = await mkdtemp(join(tmpdir(), 'eddy-export-'));
    try {
      expect(await exportBucket(s3, bucket, without, undefined)).toMatchObject({ objects: 4, fromStore: 0 });
      expect(await filesUnder(without)).toEqual(OBJECTS);
    } finally {
      await rm(without, { recursive: true, force: true });
    }
  });
});
