import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplayProgressFile } from '../../../local/demo/replayProgress.js';
import { ConfigError } from '../../../shared/errors.js';

describe('Demo: replay progress', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-progress-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts at zero, then continues from what was saved, leaving no temporary file', async () => {
    const file = new ReplayProgressFile(join(dir, 'data', 'dev', 'demo-replay.json'));
    expect(await file.load('rows 10')).toEqual({ input: 'rows 10', produced: 0, done: false });
    await file.save({ input: 'rows 10', produced: 7, done: false });
    await file.save({ input: 'rows 10', produced: 10, done: true });
    expect(await file.load('rows 10')).toEqual({ input: 'rows 10', produced: 10, done: true });
    expect(await readdir(join(dir, 'data', 'dev'))).toEqual(['demo-replay.json']);
    await file.clear();
    expect(await file.load('rows 10')).toMatchObject({ produced: 0 });
  });

  it('refuses a replay of other settings, or a file it cannot read, naming --fresh', async () => {
    const file = new ReplayProgressFile(join(dir, 'demo-replay.json'));
    await file.save({ input: 'rows 10', produced: 3, done: false });
    await expect(file.load('rows 20')).rejects.toThrow(/rows 10.*--fresh|--fresh.*rows 10/s);
    await writeFile(join(dir, 'demo-replay.json'), '{"input": "rows 10", "prod');
    const error = await file.load('rows 10').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('--fresh');
  });
});
