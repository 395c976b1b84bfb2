import type { ResultRow } from '../aggregate/rows.js';
import type { Interval } from '../aggregate/windows.js';

/** The rows of one fired window, with the revision they were computed at. */
export interface WindowResult {
  readonly window: Interval;
  readonly rows: readonly ResultRow[];
  /**
   * Grows with every write to the window's slices: a window re-emitted after a late record has
   * a higher revision, and a stale write never replaces a newer one.
   */
  readonly revision: number;
}

/** Where query results are kept for reading (`eddy results`, the dashboard). */
export interface ResultStore {
  /** Writes fired windows; a window already stored at a revision at least as high is left alone. */
  putWindows(query: string, windows: readonly WindowResult[]): Promise<void>;
  /** Replaces a continuous query's rows unless a higher version is stored. */
  putContinuous(query: string, rows: readonly ResultRow[], version: number): Promise<void>;
  /**
   * Reads a query's rows: a windowed query's windows starting in `[from, to)` by start, or a
   * continuous query's current rows.
   */
  read(query: string, range?: { readonly from?: number; readonly to?: number }): Promise<ResultRow[]>;
}
