import { describe, expect, it } from 'vitest';
import { withDuplicates } from '../../../shared/producer/duplicates.js';
import type { SourceLine } from '../../../shared/producer/sources.js';

async function* lines(count: number): AsyncGenerator<SourceLine> {
  for (let line = 1; line <= count; line++) yield { line, row: { n: line }, text: '' };
}

const collect = async (source: AsyncIterable<SourceLine>): Promise<number[]> => {
  const out: number[] = [];
  for await (const line of source) out.push(line.line);
  return out;
};

describe('Producer: deliberate duplicates', () => {
  it('resends about the given share of lines, later, each at most once, reproducibly', async () => {
    const out = await collect(withDuplicates(lines(10_000), { rate: 0.01, seed: 7 }));
    const again = await collect(withDuplicates(lines(10_000), { rate: 0.01, seed: 7 }));
    expect(out).toEqual(again);
    const extra = out.length - 10_000;
    expect(extra).toBeGreaterThan(60);
    expect(extra).toBeLessThan(140);
    const seen = new Map<number, number>();
    out.forEach((line, position) => {
      if (seen.has(line)) expect(position - (seen.get(line) ?? 0)).toBeGreaterThan(30);
      else seen.set(line, position);
    });
    expect(new Set(out).size).toBe(10_000);
  });

  it('never duplicates a line that did not parse', async () => {
    async function* bad(): AsyncGenerator<SourceLine> {
      for (let line = 1; line <= 1000; line++) yield { line, text: 'garbage' };
    }
    expect(await collect(withDuplicates(bad(), { rate: 1, seed: 1 }))).toHaveLength(1000);
  });
});
