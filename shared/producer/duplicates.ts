import { seededRandom } from '../random.js';
import type { SourceLine } from './sources.js';

/** Options of {@link withDuplicates}. */
export interface DuplicateOptions {
  /** Share of lines sent a second time, 0–1. */
  readonly rate: number;
  /** Seed of the choice. */
  readonly seed: number;
  /** The resend comes this many lines after the original (a producer's retry after a timeout). @default 37 */
  readonly lag?: number;
}

/**
 * Resends a seeded share of the lines, a little later, as a producer does when it retries a
 * send that had in fact succeeded: the copy has the same row (so the same primary key) and gets
 * its own `event_time` and sequence number. Dedupe must drop exactly these.
 */
export async function* withDuplicates(lines: AsyncIterable<SourceLine>, options: DuplicateOptions): AsyncGenerator<SourceLine> {
  const random = seededRandom(options.seed ^ 0x5eed);
  const lag = options.lag ?? 37;
  const waiting: { due: number; line: SourceLine }[] = [];
  let index = 0;
  for await (const line of lines) {
    yield line;
    index += 1;
    if (line.row && random() < options.rate) waiting.push({ due: index + lag, line });
    while (waiting.length > 0 && (waiting[0] as { due: number }).due <= index) yield (waiting.shift() as { line: SourceLine }).line;
  }
  for (const { line } of waiting) yield line;
}
