import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../cli/progress.js';

/** A stream that records what is written, as a terminal or not. */
const streamOf = (isTTY: boolean): NodeJS.WriteStream & { written: string[] } => {
  const written: string[] = [];
  return { isTTY, written, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream & { written: string[] };
};

describe('CLI: progress bar', () => {
  it('clears its line on a terminal so a line printed next starts clean, and draws again on the next tick', () => {
    const stream = streamOf(true);
    const bar = createProgress({ unit: 'records', stream, intervalMs: 0 });
    bar.tick(5);
    bar.clear();
    expect(stream.written.at(-1)).toBe('\r\x1b[K');
    bar.tick(5);
    expect(stream.written.at(-1)).toMatch(/^\r10 records/);
  });

  it('writes nothing to clear when it prints whole lines (not a terminal)', () => {
    const stream = streamOf(false);
    const bar = createProgress({ unit: 'records', stream });
    bar.tick(1);
    const before = stream.written.length;
    bar.clear();
    expect(stream.written.length).toBe(before);
  });
});
