import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followStageTotals, formatStageTotals, readStageTotals } from '../../local/stats.js';

const line = (stage: string, counts: Record<string, unknown>): string => JSON.stringify({ level: 'INFO', message: 'batch done', stage, ...counts });

describe('Stats: per-stage accounting from function logs', () => {
  it('follows growing logs, each report counted once, a line cut mid-write (even inside a character) counted when complete', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-stats-'));
    try {
      const follower = followStageTotals(dir);
      expect(await follower.read()).toEqual([]);
      const first = Buffer.from(`${line('enrich', { in: 10, out: 9, rejected: { unknown_product: 1 }, duplicates: 0, failed: 0 })}\n`);
      const second = Buffer.from(line('enrich', { in: 5, out: 5, rejected: {}, duplicates: 0, failed: 0, note: '등촌점' }));
      const cut = second.indexOf(Buffer.from('촌')) + 1;
      await writeFile(join(dir, 'enrich.log'), Buffer.concat([first, second.subarray(0, cut)]));
      expect((await follower.read()).map((t) => [t.stage, t.in, t.out, t.invocations])).toEqual([['enrich', 10, 9, 1]]);
      await appendFile(join(dir, 'enrich.log'), Buffer.concat([second.subarray(cut), Buffer.from('\n')]));
      expect((await follower.read()).map((t) => [t.stage, t.in, t.out, t.invocations])).toEqual([['enrich', 15, 14, 2]]);
      expect((await follower.read()).map((t) => t.in)).toEqual([15]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sums each stage’s reports and checks in = out + errors + duplicates + failed, per stage and for the pipeline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-stats-'));
    try {
      await writeFile(
        join(dir, 'enrich.log'),
        [
          line('enrich', { in: 500, out: 498, rejected: { not_json: 1, unknown_product: 1 }, duplicates: 0, failed: 0 }),
          '{"_aws":{"CloudWatchMetrics":[]},"RecordsIn":500}',
          'a plain log line',
          line('enrich', { in: 100, out: 100, rejected: {}, duplicates: 0, failed: 0 }),
        ].join('\n'),
      );
      await writeFile(join(dir, 'dedupe.log'), line('dedupe', { in: 598, out: 590, rejected: {}, duplicates: 7, failed: 1 }));
      const totals = await readStageTotals(dir);
      expect(totals.map((t) => [t.stage, t.in, t.out, t.duplicates, t.failed, t.invocations])).toEqual([
        ['enrich', 600, 598, 0, 0, 2],
        ['dedupe', 598, 590, 7, 1, 1],
      ]);
      const text = formatStageTotals(totals);
      expect(text).toMatch(/enrich +in +600 = out +598 \+ errors 2 \(not_json 1, unknown_product 1\) \+ duplicates 0 \+ failed 0 +✓/);
      expect(text).toMatch(/dedupe +in +598 = out +590 \+ errors 0 \+ duplicates 7 \+ failed 1 +✓/);
      expect(text).toMatch(/pipeline +in +600 = out +590 \+ errors 2 .* \+ duplicates 7 \+ failed 1 +✓/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts records a redelivered dedupe batch found already on the clean stream as their own term', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-stats-'));
    try {
      await writeFile(
        join(dir, 'dedupe.log'),
        [
          line('dedupe', { in: 100, out: 97, rejected: {}, duplicates: 3, alreadyPublished: 0, failed: 0 }),
          line('dedupe', { in: 100, out: 10, rejected: {}, duplicates: 3, alreadyPublished: 87, failed: 0 }),
        ].join('\n'),
      );
      const totals = await readStageTotals(dir);
      expect(totals).toMatchObject([{ stage: 'dedupe', in: 200, out: 107, duplicates: 6, alreadyPublished: 87, failed: 0 }]);
      expect(formatStageTotals(totals)).toMatch(/dedupe +in +200 = out +107 \+ errors 0 \+ duplicates 6 \+ already published 87 \+ failed 0 +✓/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('marks a stage whose counts do not add up', async () => {
    const text = formatStageTotals([{ stage: 'enrich', invocations: 1, in: 10, out: 8, rejected: {}, duplicates: 0, failed: 0 }]);
    expect(text).toContain('✗');
  });
});
