import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/stack/emulators.js';
import { sleep } from '../../shared/retry.js';
import { launchChromium } from '../helpers/browser.js';

// `eddy demo` as `npm start` runs it (its own stack on free ports, its own state folder), on six
// days of the scenario replayed at 20,000× event time (about 26 s), with the page open in
// Debian's Chromium while the records flow. The API checks go first: the demo (--exit) leaves once
// it has drained.
const SCREENSHOT = join(import.meta.dirname, 'screenshots', 'dashboard.png');
const CHARTS = ['kpi', 'hourly', 'daily', 'divisions', 'top3', 'cumulative'] as const;

let demo: ChildProcess;
let output = '';
let exited: Promise<number | null>;
let pageUrl: string;
let baseUrl: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const stateDir = mkdtempSync(join(tmpdir(), 'eddy-e2e-'));

/** Resolves with the first match of `pattern` in the demo's output. */
async function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output);
    if (match) return match;
    if (demo.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in the demo's output (exit ${demo.exitCode}):\n${output}`);
    await sleep(100);
  }
}

const points = (chart: string): Promise<number> => page.locator(`[data-chart="${chart}"]`).first().getAttribute('data-points').then(Number);

beforeAll(async () => {
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
  demo = spawn(
    process.execPath,
    ['bin/eddy.js', 'demo', '--fresh', '--exit', '--rows', '3000', '--from', '2015-01-01', '--to', '2015-01-06', '--speed', '20000', '--port', String(ports[0]), '--kinesis-port', String(ports[1]), '--dynamodb-port', String(ports[2]), '--s3-port', String(ports[3])],
    { env: { ...process.env, EDDY_STATE_DIR: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  exited = new Promise((resolve) => demo.once('exit', (code) => resolve(code)));
  const [, url] = await waitForOutput(/dashboard: (http:\/\/\S+)/, 90_000);
  pageUrl = url as string;
  baseUrl = pageUrl.replace(/#.*$/, '');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (demo.exitCode === null) demo.kill('SIGINT');
  await exited;
  rmSync(stateDir, { recursive: true, force: true });
});

describe('Dashboard: the live page of npm start', () => {
  it('refuses the API without its key, or with a wrong one, and serves it with the key', async () => {
    const key = decodeURIComponent(/#key=(.+)$/.exec(pageUrl)?.[1] ?? '');
    expect((await fetch(`${baseUrl}api/dashboard`)).status).toBe(403);
    expect((await fetch(`${baseUrl}api/results/hourly_sales`, { headers: { 'x-api-key': `${key}x` } })).status).toBe(403);
    const hours = async (): Promise<{ window_start: string }[]> => {
      const answer = await fetch(`${baseUrl}api/results/hourly_sales?from=2015-01-01&to=2015-01-02`, { headers: { 'x-api-key': key } });
      expect(answer.status).toBe(200);
      return ((await answer.json()) as { rows: { window_start: string }[] }).rows;
    };
    // The first hours fire a few seconds into the replay.
    await expect.poll(async () => (await hours()).length, { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);
    expect((await hours()).every((row) => row.window_start.startsWith('2015-01-01'))).toBe(true);
    // The page itself needs no key (it asks for one).
    expect((await fetch(baseUrl)).status).toBe(200);
  });

  it('loads without console errors, fills every chart, and its KPI changes while data flows', async () => {
    await page.goto(pageUrl);
    await expect.poll(() => page.locator('#kpi-sales').textContent(), { timeout: 60_000, interval: 250 }).toMatch(/₩[\d,]+/);
    const first = await page.locator('#kpi-sales').textContent();
    await expect.poll(() => page.locator('#kpi-sales').textContent(), { timeout: 60_000, interval: 250 }).not.toBe(first);
    for (const chart of CHARTS) await expect.poll(() => points(chart), { timeout: 90_000, interval: 500, message: `${chart} has data` }).toBeGreaterThan(0);
    // The key came from the URL and left it: the address bar does not show it.
    expect(page.url()).not.toContain('key=');
    await expect.poll(() => page.locator('#status').getAttribute('class'), { timeout: 10_000 }).toContain('ok');
    mkdirSync(join(import.meta.dirname, 'screenshots'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('ends with the dashboard agreeing with eddy query over the lake, every stage balanced', async () => {
    expect(await exited, output).toBe(0);
    expect(output).toContain('every day and the total agree ✓');
  });
});
