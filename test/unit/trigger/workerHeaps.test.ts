import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lambdaHeapLimits } from '../../../local/trigger/invoker.js';

const INVOKER = pathToFileURL(new URL('../../../local/trigger/invoker.ts', import.meta.url).pathname).href;

/**
 * Full (major) collections in a worker with a 1,024 MB function's heap limits that keeps
 * 600,000 small records alive, built a slice at a time as a batch is, in a fresh node process:
 * the V8 flag is process-wide, so each case gets its own.
 */
function majorCollections(roomy: boolean): number {
  const limits = JSON.stringify(lambdaHeapLimits(1024));
  const code = `
    import { Worker } from 'node:worker_threads';
    ${roomy ? `const { roomyWorkerHeaps } = await import(${JSON.stringify(INVOKER)}); roomyWorkerHeaps();` : ''}
    const body = \`
      const { PerformanceObserver, constants } = require('node:perf_hooks');
      let majors = 0;
      new PerformanceObserver((list) => { for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; }).observe({ entryTypes: ['gc'] });
      const kept = []; let i = 0;
      const step = () => {
        for (let j = 0; j < 20000; j++, i++) kept.push({ id: 'record-' + i, values: [i, i * 2, i * 3] });
        if (i < 600000) setImmediate(step); else setTimeout(() => require('node:worker_threads').parentPort.postMessage(majors), 50);
      };
      step();\`;
    const worker = new Worker(body, { eval: true, execArgv: [], resourceLimits: ${limits} });
    worker.on('message', (majors) => { console.log(majors); worker.terminate(); });`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(`node exited ${child.status}: ${child.stderr}`);
  return Number(child.stdout.trim());
}

describe('Local trigger: worker heaps', () => {
  it('starts a worker’s old generation large enough that a batch kept alive is not collected again and again', () => {
    expect(majorCollections(false)).toBeGreaterThan(0);
    expect(majorCollections(true)).toBe(0);
  });
});
