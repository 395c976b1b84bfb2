import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { writeLines } from '../shared/generator/writeLines.js';
import { createProgress } from './progress.js';

/** Where and how {@link writeRowLines} writes. */
export interface RowOutput {
  /** File to write; stdout when undefined (no progress line then, it would mix with the data). */
  readonly out: string | undefined;
  /** True when the first line is a CSV header, not a row. */
  readonly header: boolean;
  /** Rows expected, for the progress bar. */
  readonly total?: number;
  /** Progress label, e.g. `generate`. */
  readonly label: string;
}

/**
 * Writes serialized rows (one line each) to a file with a progress line counting rows, or to
 * stdout as they come; resolves once the file is flushed.
 */
export async function writeRowLines(lines: Iterable<string> | AsyncIterable<string | readonly string[]>, output: RowOutput): Promise<void> {
  if (output.out === undefined) {
    await writeLines(lines, process.stdout);
    return;
  }
  const file = createWriteStream(output.out);
  const progress = createProgress({ unit: 'rows', ...(output.total !== undefined ? { total: output.total } : {}), label: `${output.label} → ${output.out}` });
  let header = output.header;
  await writeLines(lines, file, {
    onChunk: (count) => {
      progress.tick(header ? count - 1 : count);
      header = false;
    },
  });
  file.end();
  await finished(file);
  progress.done();
}
