/**
 * Row-for-row comparison of query results, for `expect(diffRows(actual, expected)).toEqual([])`:
 * an empty list means equal, anything else is a list of differences a reader can act on.
 */

/** A result row: field name to value (strings, numbers, nulls in practice). */
export type ComparableRow = Readonly<Record<string, unknown>>;

/** Options of {@link diffRows}. */
export interface DiffOptions {
  /** Relative tolerance for numbers: `|a − e| ≤ tolerance × max(|a|, |e|)`. @default 1e-9 */
  readonly tolerance?: number;
  /**
   * Fields that identify a row, to pair actual and expected rows. @default every field holding a
   * string or null in some expected or actual row (window bounds and group keys)
   */
  readonly keyFields?: readonly string[];
  /** Most differences listed; the rest are counted in a last line. @default 50 */
  readonly limit?: number;
}

/** Orders values: absent, then null, then numbers, then strings (plain `<`), then anything else by text. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (value: unknown): number => (value === undefined ? 0 : value === null ? 1 : typeof value === 'number' ? 2 : typeof value === 'string' ? 3 : 4);
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = typeof a === 'string' && typeof b === 'string' ? [a, b] : [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Sorts rows by the given fields, in order (see the value order above), without changing the input.
 * @param rows - the rows
 * @param keyFields - the fields to sort by, most significant first
 */
export function sortRows<T extends ComparableRow>(rows: readonly T[], keyFields: readonly string[]): T[] {
  return [...rows].sort((a, b) => {
    for (const field of keyFields) {
      const order = compareValues(a[field], b[field]);
      if (order !== 0) return order;
    }
    return 0;
  });
}

/** A field name no result row has, to carry a group's key through sorting. */
const KEY = '\u0000key';

const show = (value: unknown): string => (value === undefined ? '(absent)' : typeof value === 'string' ? JSON.stringify(value) : String(value));

const describeKey = (row: ComparableRow, keyFields: readonly string[]): string =>
  keyFields.length === 0 ? '(no key)' : keyFields.map((field) => `${field}=${show(row[field])}`).join(' ');

const describeRow = (row: ComparableRow): string => `{${Object.entries(row).map(([field, value]) => `${field}: ${show(value)}`).join(', ')}}`;

function sameValue(a: unknown, e: unknown, tolerance: number): boolean {
  if (typeof a === 'number' && typeof e === 'number') return a === e || Math.abs(a - e) <= tolerance * Math.max(Math.abs(a), Math.abs(e));
  return a === e;
}

function defaultKeyFields(rows: readonly ComparableRow[]): string[] {
  const fields: string[] = [];
  for (const row of rows) {
    for (const [field, value] of Object.entries(row)) if ((typeof value === 'string' || value === null) && !fields.includes(field)) fields.push(field);
  }
  return fields;
}

function groupByKey(rows: readonly ComparableRow[], keyFields: readonly string[]): Map<string, ComparableRow[]> {
  const groups = new Map<string, ComparableRow[]>();
  // Rows sharing a key are paired in the order of all their fields.
  const allFields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  for (const row of sortRows(rows, allFields)) {
    const key = JSON.stringify(keyFields.map((field) => (row[field] === undefined ? '\u0000absent' : row[field])));
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/**
 * Lists the differences between two result sets: missing rows (expected, not in actual), extra
 * rows (in actual, not expected) and, for rows with the same key, every field that differs.
 * Numbers are equal within a relative tolerance; everything else must be identical (`===`).
 * Rows sharing a key are paired in sorted order.
 * @param actual - what the system under test produced
 * @param expected - what it should have produced
 * @param options - tolerance, key fields and the number of differences listed
 * @returns human-readable differences; empty when the sets are equal
 */
export function diffRows(actual: readonly ComparableRow[], expected: readonly ComparableRow[], options: DiffOptions = {}): string[] {
  const tolerance = options.tolerance ?? 1e-9;
  const limit = options.limit ?? 50;
  const keyFields = options.keyFields ?? defaultKeyFields([...expected, ...actual]);
  const actualGroups = groupByKey(actual, keyFields);
  const expectedGroups = groupByKey(expected, keyFields);
  const representatives = new Map<string, ComparableRow>();
  for (const groups of [expectedGroups, actualGroups]) for (const [key, rows] of groups) representatives.set(key, rows[0] as ComparableRow);
  // Differences are listed in key order (as sortRows orders rows), so a report reads like the table.
  const keys = sortRows([...representatives].map(([key, row]) => ({ ...row, [KEY]: key })), keyFields).map((row) => row[KEY] as string);
  const differences: string[] = [];
  for (const key of keys) {
    const got = actualGroups.get(key) ?? [];
    const want = expectedGroups.get(key) ?? [];
    for (let i = 0; i < Math.max(got.length, want.length); i++) {
      const a = got[i];
      const e = want[i];
      if (!a && e) differences.push(`missing row ${describeKey(e, keyFields)}: expected ${describeRow(e)}`);
      else if (a && !e) differences.push(`extra row ${describeKey(a, keyFields)}: ${describeRow(a)}`);
      else if (a && e) {
        for (const field of new Set([...Object.keys(e), ...Object.keys(a)])) {
          if (!sameValue(a[field], e[field], tolerance)) differences.push(`row ${describeKey(e, keyFields)}: ${field} is ${show(a[field])}, expected ${show(e[field])}`);
        }
      }
    }
  }
  return differences.length > limit ? [...differences.slice(0, limit), `… and ${differences.length - limit} more differences`] : differences;
}
