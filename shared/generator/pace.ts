/** The clock a rate limit reads and waits on; tests pass a fake one. */
export interface PaceClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real clock: `performance.now()` and `setTimeout`. */
export const realClock: PaceClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Releases rows at `rowsPerSecond` (Flink's `rows-per-second`): row `i` is not released before
 * `start + i / rate`. Rows that are due together come out as one group, so a high rate costs
 * one wait per group rather than per row, and a low rate delivers each row on time.
 * @param rows - the rows
 * @param rowsPerSecond - the rate; 0 = unlimited (one group per 1,000 rows)
 * @param clock - see {@link PaceClock} @default realClock
 */
export async function* paceRows<Row>(rows: Iterable<Row>, rowsPerSecond: number, clock: PaceClock = realClock): AsyncGenerator<Row[], void, undefined> {
  if (!(rowsPerSecond >= 0) || !Number.isFinite(rowsPerSecond)) throw new RangeError(`rows per second must be a finite number ≥ 0, got ${rowsPerSecond}`);
  const started = clock.now();
  let group: Row[] = [];
  let index = 0;
  for (const row of rows) {
    if (rowsPerSecond > 0) {
      const wait = started + (index * 1000) / rowsPerSecond - clock.now();
      if (wait > 0) {
        if (group.length > 0) yield group;
        group = [];
        await clock.sleep(wait);
      }
    }
    group.push(row);
    index++;
    if (group.length >= 1_000) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}
