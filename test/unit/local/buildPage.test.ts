import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardPage } from '../../../local/dashboard/buildPage.js';

const CDN = /https?:\/\/[^\s"'`)]*(cdn\.|unpkg|jsdelivr|cdnjs|googleapis|gstatic)/i;

describe('Dashboard: building the page', () => {
  let outDir = '';
  let built: { files: string[]; bytes: number };
  let appJs = '';
  let indexHtml = '';

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'eddy-dashboard-'));
    built = await buildDashboardPage(outDir);
    [appJs, indexHtml] = await Promise.all([readFile(join(outDir, 'app.js'), 'utf8'), readFile(join(outDir, 'index.html'), 'utf8')]);
  });

  afterAll(async () => {
    if (outDir !== '') await rm(outDir, { recursive: true, force: true });
  });

  it('writes index.html, style.css and app.js, and reports their total size', async () => {
    const names = ['index.html', 'style.css', 'app.js'];
    expect([...built.files].sort()).toEqual(names.map((name) => join(outDir, name)).sort());
    const sizes = await Promise.all(names.map(async (name) => (await stat(join(outDir, name))).size));
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(built.bytes).toBe(sizes.reduce((sum, size) => sum + size, 0));
  });

  it('bundles Chart.js into app.js rather than loading it from a CDN', () => {
    expect(appJs).toMatch(/chart\.js v4\.\d+\.\d+/i);
    expect(appJs).toContain('indexAxis');
    expect(appJs).not.toMatch(CDN);
    expect(appJs).not.toMatch(/\bimport\s*\(?\s*["'][^"']+["']/);
  });

  it('reads the API at a relative URL and leaves no Node globals in the browser bundle', () => {
    expect(appJs).toContain('"api/dashboard"');
    expect(appJs).not.toContain('"/api/dashboard"');
    expect(appJs).not.toMatch(/\bBuffer\.|\bprocess\.env\b|\brequire\(/);
  });

  it('references app.js and style.css relatively from index.html, with nothing from the network', () => {
    expect(indexHtml).toMatch(/<script type="module" src="app\.js"><\/script>/);
    expect(indexHtml).toMatch(/<link rel="stylesheet" href="style\.css">/);
    expect(indexHtml).not.toMatch(/(src|href)="(\/|https?:)/);
  });

  it('keeps every element the page script binds', () => {
    const ids = ['status', 'api-key-form', 'api-key', 'api-key-save', 'kpi-sales', 'kpi-visitors', 'kpi-last', 'kpi-today', 'kpi-today-label', 'top3-latest', 'cumulative-day'];
    const canvases = ['hourly', 'daily', 'divisions', 'top3', 'cumulative'];
    for (const id of [...ids, ...canvases.map((name) => `chart-${name}`)]) expect(indexHtml).toContain(`id="${id}"`);
    for (const name of ['kpi', ...canvases]) expect(indexHtml).toContain(`data-chart="${name}" data-points="0"`);
  });
});
