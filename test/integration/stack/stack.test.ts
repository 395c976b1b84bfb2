import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/stack/emulators.js';
import { stackDown, stackStatus, stackUp, useLocalStack } from '../../../local/stack/manage.js';
import { readStackState } from '../../../local/stack/stackState.js';
import { loadServerlessModel } from '../../../local/loadServerlessModel.js';

// The suite's own stack runs in-process; this test starts the real background stack, in its
// own state directory and on free ports, exactly as `eddy stack up --memory` does.
let stateDir: string;
const previous = process.env.EDDY_STATE_DIR;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'eddy-stack-'));
  process.env.EDDY_STATE_DIR = stateDir;
  // Resolve serverless.yml once (a `serverless print`, cached afterwards) so the timing below is the stack's own.
  await loadServerlessModel({ stage: 'stacktest' });
});

afterAll(async () => {
  await stackDown();
  process.env.EDDY_STATE_DIR = previous;
  if (previous === undefined) delete process.env.EDDY_STATE_DIR;
  await rm(stateDir, { recursive: true, force: true });
});

describe('Local stack: eddy stack up|status|down', () => {
  it('starts the emulators and creates every stream, table and bucket serverless.yml declares, in under 15 s', async () => {
    const ports = { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() };
    const result = await stackUp({ stage: 'stacktest', persist: false, ports });
    expect(result.millis).toBeLessThan(15_000);
    const status = await stackStatus();
    expect(status?.streams).toEqual(['eddy-stacktest-aggregates', 'eddy-stacktest-clean', 'eddy-stacktest-enriched', 'eddy-stacktest-oceanus', 'eddy-stacktest-raw']);
    expect(status?.tables).toEqual(['eddy-stacktest-dedupe', 'eddy-stacktest-products', 'eddy-stacktest-results', 'eddy-stacktest-state', 'eddy-stacktest-writer']);
    expect(status?.buckets).toEqual(['eddy-stacktest-data']);
    expect(result.state.endpoints.kinesis).toBe(`http://127.0.0.1:${ports.kinesis}`);
  });

  it('is idempotent: a second up finds the running stack and its resources', async () => {
    const again = await stackUp({ stage: 'stacktest' });
    expect(again.alreadyRunning).toBe(true);
    expect(again.resources.created).toEqual([]);
    expect(again.resources.existing).toHaveLength(11);
  });

  it('points the SDK at the stack through the standard endpoint variables', async () => {
    const saved = { ...process.env };
    const state = await useLocalStack();
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(state?.endpoints.dynamodb);
    expect(process.env.AWS_ENDPOINT_URL_KINESIS).toBe(state?.endpoints.kinesis);
    expect(process.env.AWS_ENDPOINT_URL_S3).toBe(state?.endpoints.s3);
    Object.assign(process.env, saved);
  });

  it('names the port when one is taken', async () => {
    const state = await readStackState(stateDir);
    await stackDown();
    const taken = Number(new URL(state?.endpoints.dynamodb ?? '').port);
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
    try {
      await expect(stackUp({ stage: 'stacktest', persist: false, ports: { kinesis: await freePort(), dynamodb: taken, s3: await freePort() } })).rejects.toThrow(
        new RegExp(`port ${taken}.*taken`),
      );
    } finally {
      blocker.close();
    }
    expect(await stackStatus()).toBeUndefined();
  });
});
