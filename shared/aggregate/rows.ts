/**
 * Turns a window's (or a continuous query's) merged groups into result rows: finishes each
 * aggregate (AVG = SUM / COUNT, times as local date-times), applies HAVING and Window Top-N, and
 * names the columns as the query does, window bounds first.
 */
import { COLUMN_TYPES, type Column } from '../queries/definition.js';
import type { CompiledQuery } from './compile.js';
import { formatLocal } from './eventTime.js';
import type { GroupParts, GroupState } from './partials.js';
import { evaluate } from './predicate.js';
import type { Interval } from './windows.js';

/** One result row: window bounds (windowed queries), group keys, aggregates, rank (Top-N). */
export type ResultRow = Record<string, string | number | null>;

type Key = readonly (string | null)[];

/** Orders group keys as the Top-N tie-break and the row order do: nulls first, then by code units. */
export function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function finish(query: CompiledQuery, parts: GroupParts): Record<string, number | string | null> {
  const values: Record<string, number | string | null> = {};
  query.definition.aggregates.forEach((aggregate, i) => {
    const part = (name: string): number | undefined => parts.get(`${i}${name}`);
    switch (aggregate.fn) {
      case 'count':
        values[aggregate.name] = part('n') ?? 0;
        break;
      case 'sum':
        values[aggregate.name] = part('s') ?? null;
        break;
      case 'avg': {
        const n = part('n') ?? 0;
        values[aggregate.name] = n === 0 ? null : (part('s') ?? 0) / n;
        break;
      }
      case 'count_distinct':
        values[aggregate.name] = part('z') ?? 0;
        break;
      default: {
        const extreme = part(aggregate.fn === 'min' ? 'lo' : 'hi');
        const timestamp = COLUMN_TYPES[aggregate.field as Column] === 'timestamp';
        values[aggregate.name] = extreme === undefined ? null : timestamp ? formatLocal(extreme) : extreme;
      }
    }
  });
  return values;
}

/**
 * The result rows of one window (or of a continuous query, `window` undefined), sorted by
 * group keys, or by rank for Top-N (ties broken by the group keys).
 */
export function toRows(query: CompiledQuery, groups: GroupState, window?: Interval): ResultRow[] {
  const { groupBy, having, topN } = query.definition;
  let rows = [...groups.entries()]
    .map(([group, parts]) => ({ key: JSON.parse(group) as Key, values: finish(query, parts) }))
    .filter(({ key, values }) => {
      if (having === undefined) return true;
      const named: Record<string, unknown> = { ...values };
      groupBy.forEach((column, i) => (named[column] = key[i]));
      return evaluate(having, (field) => named[field]);
    })
    .sort((a, b) => compareKeys(a.key, b.key));
  if (topN !== undefined) {
    const score = (values: Record<string, unknown>): number => (typeof values[topN.orderBy] === 'number' ? (values[topN.orderBy] as number) : Number.NEGATIVE_INFINITY);
    rows = rows.sort((a, b) => score(b.values) - score(a.values) || compareKeys(a.key, b.key)).slice(0, topN.n);
  }
  return rows.map(({ key, values }, rank) => {
    const row: ResultRow = window === undefined ? {} : { window_start: formatLocal(window.start), window_end: formatLocal(window.end) };
    groupBy.forEach((column, i) => (row[column] = key[i] ?? null));
    Object.assign(row, values);
    if (topN !== undefined) row[topN.rowNumberName] = rank + 1;
    return row;
  });
}
