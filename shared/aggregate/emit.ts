/**
 * From stored slices to results: a window's rows are its slices' groups merged, and what goes
 * on the aggregates stream is each row with its identity (`pk`) and revision.
 */
import type { SliceImage } from '../ports/AggregateStateStore.js';
import type { PublishedRow } from '../ports/ResultPublisher.js';
import type { WindowResult } from '../ports/ResultStore.js';
import type { CompiledQuery } from './compile.js';
import { groupsOfImage, mergeGroupStates } from './partials.js';
import { toRows, type ResultRow } from './rows.js';
import { slicesOfWindow, type Interval } from './windows.js';

/**
 * The result of each window from the slices that hold data. A window's revision is the sum of
 * its slices' versions: it only grows, so a re-emission after a late record supersedes.
 */
export function windowResults(query: CompiledQuery, windows: readonly Interval[], slices: readonly SliceImage[]): WindowResult[] {
  const bySlice = new Map(slices.map((image) => [image.slice, image]));
  return windows.map((window) => {
    const images = slicesOfWindow(query.definition.window, window)
      .map(({ start }) => bySlice.get(start))
      .filter((image): image is SliceImage => image !== undefined);
    const groups = mergeGroupStates(images.map((image) => groupsOfImage(image.attributes)));
    return { window, rows: toRows(query, groups, window), revision: images.reduce((sum, image) => sum + image.version, 0) };
  });
}

/** The identity of a row within its window or query: its rank for Top-N, else its group keys. */
function identityOf(query: CompiledQuery, row: ResultRow): string {
  const { topN, groupBy } = query.definition;
  return topN === undefined ? JSON.stringify(groupBy.map((column) => row[column] ?? null)) : String(row[topN.rowNumberName]);
}

/** The rows to publish for fired windows. */
export function publishedWindowRows(query: CompiledQuery, results: readonly WindowResult[]): PublishedRow[] {
  return results.flatMap(({ rows, revision }) =>
    rows.map((row) => ({ pk: [query.name, row.window_start, row.window_end, identityOf(query, row), revision].join('|'), query: query.name, revision, ...row })),
  );
}

/** The rows to publish for a continuous query's update at a version. */
export function publishedContinuousRows(query: CompiledQuery, rows: readonly ResultRow[], version: number): PublishedRow[] {
  return rows.map((row) => ({ pk: [query.name, identityOf(query, row), version].join('|'), query: query.name, revision: version, ...row }));
}
