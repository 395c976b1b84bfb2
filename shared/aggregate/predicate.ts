import type { Literal, Predicate } from '../queries/definition.js';

const COMPARE = {
  '=': (a: Literal, b: Literal) => a === b,
  '<>': (a: Literal, b: Literal) => a !== b,
  '<': (a: Literal, b: Literal) => a < b,
  '<=': (a: Literal, b: Literal) => a <= b,
  '>': (a: Literal, b: Literal) => a > b,
  '>=': (a: Literal, b: Literal) => a >= b,
} as const;

const isLiteral = (value: unknown): value is Literal => typeof value === 'string' || typeof value === 'number';

/**
 * Evaluates a query predicate (a `WHERE` filter on columns or a `HAVING` filter on outputs) the
 * way SQL does: a comparison with a null (a ROLLUP subtotal's rolled-up key) is unknown, and
 * unknown is not true, so `division_name NOT IN ('담배')` keeps no subtotal row.
 * @param get - reads a field of the row being tested
 */
export function evaluate<F extends string>(predicate: Predicate<F>, get: (field: F) => unknown): boolean {
  if ('all' in predicate) return predicate.all.every((part) => evaluate(part, get));
  if ('any' in predicate) return predicate.any.some((part) => evaluate(part, get));
  const value = get(predicate.field);
  if (!isLiteral(value)) return false;
  if ('in' in predicate) return predicate.in.includes(value);
  if ('notIn' in predicate) return !predicate.notIn.includes(value);
  return COMPARE[predicate.op](value, predicate.value);
}
