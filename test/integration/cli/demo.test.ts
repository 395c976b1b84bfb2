import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/stack/emulators.js';
import { sleep } from '../../../shared/retry.js';
import { eddyProcess } from '../../helpers/cli.js';

// `npm start` interrupted and started again, as a user does it: the second run continues from
// the persisted stack, checkpoints and replay position, and ends with everything exactly once.
let work: string;
let env: NodeJS.ProcessEnv;
let ports: string[];
const DEMO = ['demo', '--exit', '--rows', '2000', '--from', '2015-01-01', '--to', '2015-01-04', '--speed', '16000', '--port', '0'];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'eddy-demo-'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_ENDPOINT_URL')));
  env = { ...clean, EDDY_STATE_DIR: join(work, 'state') };
  ports = ['--kinesis-port', String(await freePort()), '--dynamodb-port', String(await freePort()), '--s3-port', String(await freePort())];
});

afterAll(async () => {
  await eddyProcess(['stack', 'down'], { env });
  await rm(work, { recursive: true, force: true });
});

/** Starts `eddy demo`, waits until the replay has produced at least `records`, then sends Ctrl-C: its exit code and output. */
async function interruptAfter(args: readonly string[], records: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bin/eddy.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 120_000;
  const produced = (): number => Math.max(0, ...[...output.matchAll(/→ \S+ ([\d,]+) records/g)].map((match) => Number(match[1]?.replaceAll(',', ''))));
  while (produced() < records && child.exitCode === null && Date.now() < deadline) await sleep(100);
  child.kill('SIGINT');
  return { code: await exited, output };
}

describe('CLI: eddy demo', () => {
  it('stops on Ctrl-C keeping its data, and a second run continues the replay to the same exact end', async () => {
    const first = await interruptAfter([...DEMO, '--fresh', ...ports], 600);
    expect(first.code, first.output).toBe(130);
    expect(first.output).toContain("The stack's data is kept");
    const saved = JSON.parse(await readFile(join(work, 'state', 'data', 'dev', 'demo-replay.json'), 'utf8')) as { produced: number; done: boolean };
    expect(saved.done).toBe(false);
    expect(saved.produced).toBeGreaterThanOrEqual(600);
    expect(saved.produced).toBeLessThan(2020);

    // --shards cannot reshape the persisted streams: it says so, and the run goes on with them.
    const second = await eddyProcess([...DEMO, '--shards', '2', ...ports], { env, timeoutMs: 240_000 });
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    expect(second.stderr).toContain('--shards 2 does not apply to the persisted streams');
    expect(second.stdout).toContain(`continuing the replay after the ${saved.produced.toLocaleString('en-US')} records produced before`);
    // Every generated row once on the clean stream across both runs, and the dashboard equal to the lake.
    expect(second.stdout).toContain('2,000 distinct keys (expected 2,000)');
    expect(second.stdout).toContain('every day and the total agree ✓');
    expect(JSON.parse(await readFile(join(work, 'state', 'data', 'dev', 'demo-replay.json'), 'utf8'))).toMatchObject({ done: true });
  }, 400_000);

  it('refuses to continue a persisted replay of other settings, naming --fresh', async () => {
    const other = await eddyProcess(['demo', '--exit', '--rows', '999', '--port', '0', ...ports], { env, timeoutMs: 60_000 });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--fresh');
    expect(other.stderr).toContain('rows 2000');
    expect(other.stderr).toContain('stage dev');
  }, 90_000);
});
