import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/stack/emulators.js';

// The commands a user types, end to end, each in its own process, on a private stack
// (its own state directory and free ports) so nothing touches a developer's running stack.
let stateDir: string;
let env: NodeJS.ProcessEnv;
let ports: string[];

const eddy = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/eddy.js', ...args], { env, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'eddy-cli-'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_ENDPOINT_URL')));
  env = { ...clean, EDDY_STATE_DIR: stateDir };
  ports = ['--kinesis-port', String(await freePort()), '--dynamodb-port', String(await freePort()), '--s3-port', String(await freePort())];
});

afterAll(async () => {
  await eddy('stack', 'down');
  await rm(stateDir, { recursive: true, force: true });
});

describe('CLI: the pipeline end to end', () => {
  it('eddy demo runs stack → products → trigger → producer → enrich and accounts for every record', async () => {
    const { code, stdout, stderr } = await eddy('demo', '--rows', '3000', '--keep', ...ports);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('5,446 loaded');
    expect(stdout).toMatch(/in 3,000 = enriched 3,000 \+ errors 0/);
    expect(stdout).toContain('Sales by division');
    expect(await readFile(join(stateDir, 'logs', 'enrich.log'), 'utf8')).toContain('batch done');
  });

  it('eddy produce, record and replay work against the stack the demo left running', async () => {
    const produced = await eddy('produce', '--file', 'events/sources/bad_transactions.jsonl', '--format', 'jsonl', '--partition-key', 'explicit:cli-test');
    expect(produced.code, produced.stderr).toBe(0);
    const fixture = join(stateDir, 'recorded.json');
    // The raw stream now holds the demo's records too: record the shard the explicit key went to, newest last.
    const recorded = await eddy('record', '--function', 'enrich', '--limit', '10000', '--out', fixture);
    expect(recorded.code, recorded.stderr).toBe(0);
    const event = JSON.parse(await readFile(fixture, 'utf8')) as { Records: { eventSourceARN: string }[] };
    expect(event.Records.length).toBeGreaterThan(0);
    expect(event.Records[0]?.eventSourceARN).toMatch(/stream\/eddy-dev-raw$/);
    const replayed = await eddy('replay', 'events/enrich-bad-records.json');
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ function: 'enrich', status: 'ok', records: 8, result: { batchItemFailures: [] } });
  });

  it('eddy demo refuses to run over a running stack unless --fresh', async () => {
    const refused = await eddy('demo', '--rows', '10', ...ports);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already running');
  });
});
