import type { Writable } from 'node:stream';

/** Options of {@link writeLines}. */
export interface WriteLinesOptions {
  /** Called with the number of lines in each chunk written (e.g. a progress tick). */
  readonly onChunk?: (lines: number) => void;
  /** Characters gathered before a write. @default 65536 */
  readonly chunkChars?: number;
}

/** What {@link writeLines} did. */
export interface WriteLinesResult {
  /** Lines handed to the stream. */
  readonly lines: number;
  /** True when the reader went away (EPIPE, e.g. `| head`): not an error for a generator. */
  readonly closedEarly: boolean;
}

/**
 * Writes lines to a stream in large chunks, waiting for `drain` when the stream's buffer is
 * full, so an unbounded generator never piles up in memory. An array of lines is a group
 * that is written at once, without waiting for the chunk to fill: a rate-limited source
 * yields what is due now as one group, and it reaches the reader now. A closed pipe ends the
 * write quietly; any other stream error rejects.
 * @param source - lines (each with its line break), or groups of them
 * @param stream - e.g. `process.stdout` or a file stream
 * @param options - see {@link WriteLinesOptions}
 */
export async function writeLines(
  source: Iterable<string> | AsyncIterable<string | readonly string[]>,
  stream: Writable,
  options: WriteLinesOptions = {},
): Promise<WriteLinesResult> {
  const chunkChars = options.chunkChars ?? 65_536;
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure = error;
    stream.emit('drain');
  };
  stream.on('error', onError);
  let written = 0;
  let pending = 0;
  let chunk = '';
  const flush = async (): Promise<boolean> => {
    if (chunk !== '' && !failure) {
      const ok = stream.write(chunk);
      written += pending;
      options.onChunk?.(pending);
      if (!ok) await new Promise<void>((resolve) => stream.once('drain', resolve));
    }
    chunk = '';
    pending = 0;
    return !failure;
  };
  const add = async (item: string | readonly string[]): Promise<boolean> => {
    if (typeof item === 'string') {
      chunk += item;
      pending++;
      return chunk.length < chunkChars || (await flush());
    }
    chunk += item.join('');
    pending += item.length;
    return flush();
  };
  try {
    // A sync iterable is read without a promise per line: that is most of the speed.
    if (Symbol.iterator in source) {
      for (const line of source) {
        chunk += line;
        pending++;
        if (chunk.length >= chunkChars && !(await flush())) break;
      }
    } else {
      for await (const item of source) if (!(await add(item))) break;
    }
    await flush();
  } finally {
    stream.off('error', onError);
  }
  if (failure && (failure as NodeJS.ErrnoException).code !== 'EPIPE') throw failure;
  return { lines: written, closedEarly: failure !== undefined };
}
