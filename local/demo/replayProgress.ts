import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../../shared/errors.js';

/** How far a persisted replay got. */
export interface ReplayProgress {
  /** What was being replayed (the demo's settings), so a run with other settings does not continue it. */
  readonly input: string;
  /** Lines the stream acknowledged, in order: a continuing run skips them. */
  readonly produced: number;
  /** Whether every line was produced and the final watermark sent. */
  readonly done: boolean;
}

/**
 * Where a persisted demo keeps its replay's progress (a JSON file beside the stack's data), so a
 * second `npm start` continues where the first stopped instead of producing everything again.
 */
export class ReplayProgressFile {
  public constructor(private readonly path: string) {}

  /**
   * The progress of `input`: none yet is zero.
   * @throws ConfigError when the file holds another input's progress (the caller offers --fresh)
   */
  public async load(input: string): Promise<ReplayProgress> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return { input, produced: 0, done: false };
    let saved: ReplayProgress;
    try {
      saved = JSON.parse(text) as ReplayProgress;
    } catch (error) {
      throw new ConfigError('--fresh', `cannot read the persisted replay's progress in ${this.path}; run again with --fresh to start over`, { cause: error });
    }
    if (saved.input !== input) throw new ConfigError('--fresh', `the persisted stack holds a replay of other settings (${saved.input}); run again with --fresh to start over with ${input}`);
    return saved;
  }

  /** Writes the progress whole or not at all (a temporary file renamed over the old one). */
  public async save(progress: ReplayProgress): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(progress)}\n`);
    await rename(temporary, this.path);
  }

  public async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
