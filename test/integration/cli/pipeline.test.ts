import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/stack/emulators.js';
import { stackClients } from '../../../local/stack/manage.js';
import type { StackState } from '../../../local/stack/stackState.js';
import { primaryKeyOf, type PrimaryKeyFields } from '../../../shared/primaryKey.js';
import { sleep } from '../../../shared/retry.js';
import { readAllRecords } from '../../helpers/streamReader.js';

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
  it('eddy demo runs stack → products → trigger → producer → enrich → dedupe → aggregate and accounts for every record', async () => {
    const { code, stdout, stderr } = await eddy('demo', '--rows', '3000', '--to', '2015-01-06', '--duplicates', '0.02', '--keep', '--exit', '--speed', '0', '--port', '0', ...ports);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('5,446 loaded');
    const resent = Number(/\+ ([\d,]+) resent/.exec(stdout)?.[1]?.replace(/,/g, ''));
    expect(resent).toBeGreaterThan(20);
    expect(stdout).toMatch(/enrich +in +[\d,]+ = out +[\d,]+ \+ errors 0 \+ duplicates 0 \+ failed 0 +✓/);
    expect(stdout).toMatch(new RegExp(`dedupe +in +[\\d,]+ = out +3,000 \\+ errors 0 \\+ duplicates ${resent} \\+ failed 0 +✓`));
    expect(stdout).toContain('3,000 distinct keys (expected 3,000)');
    expect(stdout).toContain('Sales by division');
    expect(stdout).toMatch(/aggregate +in +3,000 = out +3,000 \+ errors 0 \+ duplicates 0 \+ failed 0 +✓/);
    expect(stdout).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/#key=\S+/);
    expect(stdout).toContain('6 days, 3,000 line items');
    expect(stdout).toContain('every day and the total agree ✓');
    const stats = await eddy('stats', '--json');
    const totals = JSON.parse(stats.stdout) as { stage: string }[];
    expect(totals.map((t) => t.stage)).toEqual(['enrich', 'dedupe', 'aggregate', 's3-writer:raw', 's3-writer:summary']);
    expect(totals).toMatchObject([{ out: 3000 + resent }, { out: 3000, duplicates: resent }, { in: 3000, out: 3000 }, { in: 3000, out: 3000 }, {}]);
    expect(await readFile(join(stateDir, 'logs', 'enrich.log'), 'utf8')).toContain('batch done');
  }, 240_000);

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

  it('serverless invoke local runs a fixture against the running local stack', async () => {
    const { stdout, stderr } = await promisify(execFile)('node_modules/.bin/serverless', ['invoke', 'local', '-f', 'enrich', '-p', 'events/enrich-bad-records.json'], { env, timeout: 120_000 });
    expect(stdout + stderr).toContain('invoking against the local stack');
    expect(stdout).toMatch(/"batchItemFailures": \[\]/);
  });

  it('serverless offline start runs the Kinesis triggers beside the HTTP endpoints, and stops cleanly', async () => {
    const child = spawn('node_modules/.bin/serverless', ['offline', 'start', '--httpPort', String(await freePort()), '--lambdaPort', String(await freePort())], { env: { ...env, POWERTOOLS_LOG_LEVEL: 'INFO' } });
    let output = '';
    const seen = (text: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => void (output.includes(text) && resolve());
        child.stdout.on('data', (chunk: Buffer) => ((output += chunk.toString()), check()));
        child.stderr.on('data', (chunk: Buffer) => ((output += chunk.toString()), check()));
        check();
      });
    try {
      await seen('Kinesis triggers running for enrich');
      const produced = await eddy('produce', '--file', 'events/sources/sample_transactions.jsonl', '--partition-key', 'explicit:offline');
      expect(produced.code, produced.stderr).toBe(0);
      const state = JSON.parse(await readFile(join(stateDir, 'stack.json'), 'utf8')) as StackState;
      const { kinesis } = stackClients(state.endpoints, state.region);
      const samples = (await readFile('events/sources/sample_transactions.jsonl', 'utf8')).trim().split('\n').map((line) => primaryKeyOf(JSON.parse(line) as PrimaryKeyFields));
      const deadline = Date.now() + 45_000;
      let missing = samples;
      while (missing.length > 0 && Date.now() < deadline) {
        const enriched = new Set((await readAllRecords(kinesis, 'eddy-dev-enriched')).map((record) => (JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString()) as { pk: string }).pk));
        missing = samples.filter((pk) => !enriched.has(pk));
        await sleep(500);
      }
      expect(missing).toEqual([]);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(output).toContain('Kinesis triggers stopped, checkpoints saved');
  }, 150_000);

  it('eddy demo refuses to run over a stack it did not persist unless --fresh', async () => {
    expect((await eddy('stack', 'down')).code).toBe(0);
    expect((await eddy('stack', 'up', '--memory', ...ports)).code).toBe(0);
    // The settings of the persisted replay above, so only the running stack stands in the way.
    const refused = await eddy('demo', '--rows', '3000', '--to', '2015-01-06', '--duplicates', '0.02', '--exit', ...ports);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already running');
    expect(refused.stderr).toContain('--fresh');
  }, 60_000);
});
