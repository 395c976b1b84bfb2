import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ephemeralDirectoryRoot } from '../../../local/stack/stack.js';

describe('ephemeralDirectoryRoot (where an ephemeral bucket keeps its files)', () => {
  it('falls back on the temp directory when the memory-backed directory does not exist', async () => {
    expect(await ephemeralDirectoryRoot('/no/such/directory')).toBe(tmpdir());
  });

  it('takes a directory with room to spare, and falls back when it has too little', async () => {
    // The project directory has gigabytes free on any machine that runs the suite; a 64 MB
    // container /dev/shm would not (checked through the same statfs reading).
    const { statfs } = await import('node:fs/promises');
    const fs = await statfs(process.cwd());
    const free = fs.bavail * fs.bsize;
    expect(await ephemeralDirectoryRoot(process.cwd())).toBe(free >= 2 * 1024 ** 3 ? process.cwd() : tmpdir());
  });
});
