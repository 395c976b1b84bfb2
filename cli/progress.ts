/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** What is counted, e.g. `records`. */
  readonly unit: string;
  /** Expected total; without it only counts and rates are shown. */
  readonly total?: number;
  /** Where to draw. @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Minimum milliseconds between redraws. @default 200 */
  readonly intervalMs?: number;
  readonly label?: string;
}

/** A progress line: a bar when the total is known, counts and a rate always. */
export interface Progress {
  /** Adds `n` to the count (and redraws at most every `intervalMs`). */
  tick(n?: number): void;
  /** Draws the final line and a newline; returns the elapsed seconds. */
  done(): number;
  /** Clears the bar's line on a terminal, so a line printed next starts clean (the next tick draws the bar again); nothing elsewhere. */
  clear(): void;
}

/**
 * A progress bar with count and rate on stderr. On a terminal it redraws one line; elsewhere
 * (CI, a pipe) it prints a line every few seconds instead, so logs stay readable.
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const interval = stream.isTTY ? (options.intervalMs ?? 200) : 5_000;
  const started = performance.now();
  let count = 0;
  let lastDraw = 0;
  const line = (): string => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(count / seconds) : 0;
    const label = options.label ? `${options.label} ` : '';
    if (options.total === undefined || options.total === 0) return `${label}${count.toLocaleString('en-US')} ${options.unit} · ${rate.toLocaleString('en-US')}/s · ${seconds.toFixed(1)} s`;
    const ratio = Math.min(1, count / options.total);
    const width = 24;
    const filled = Math.round(ratio * width);
    return `${label}[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${count.toLocaleString('en-US')}/${options.total.toLocaleString('en-US')} ${options.unit} · ${rate.toLocaleString('en-US')}/s · ${seconds.toFixed(1)} s`;
  };
  const draw = (final: boolean): void => {
    if (stream.isTTY) stream.write(`\r${line()}\x1b[K${final ? '\n' : ''}`);
    else stream.write(`${line()}\n`);
  };
  return {
    tick(n = 1) {
      count += n;
      const now = performance.now();
      if (now - lastDraw >= interval) {
        lastDraw = now;
        draw(false);
      }
    },
    done() {
      draw(true);
      return (performance.now() - started) / 1000;
    },
    clear() {
      if (stream.isTTY) stream.write('\r\x1b[K');
    },
  };
}
