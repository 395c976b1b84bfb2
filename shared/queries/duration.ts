import { ConfigError } from '../errors.js';
import { DURATION_UNITS, type Duration, type DurationUnit } from './definition.js';

const DURATION_PATTERN = /^\s*(\d+)\s*([a-z]+)\s*$/;

/**
 * Parses a duration as authors write it in query definitions: a positive whole number and a
 * unit, `'5 s'`, `'30 min'`, `'1 h'`, `'1 d'`. Whole units only, because each one must render
 * as a Flink `INTERVAL 'n' UNIT` literal.
 *
 * @param text - The duration, e.g. `'24 h'`.
 * @param key - The field being parsed, named in the error.
 * @throws ConfigError when `text` is not a positive whole number followed by `s`, `min`, `h` or `d`.
 */
export function parseDuration(text: unknown, key = 'duration'): Duration {
  if (typeof text !== 'string') throw new ConfigError(key, `expected a duration such as '1 h', got ${describe(text)}`);
  const match = DURATION_PATTERN.exec(text);
  const unit = match?.[2];
  if (match === null || unit === undefined || !Object.hasOwn(DURATION_UNITS, unit)) {
    throw new ConfigError(key, `expected a duration such as '5 s', '30 min', '1 h' or '1 d', got '${text}'`);
  }
  const amount = Number(match[1]);
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new ConfigError(key, `must be positive, got '${text}'`);
  const known = unit as DurationUnit;
  return { amount, unit: known, ms: amount * DURATION_UNITS[known].ms };
}

/**
 * Renders a duration as a Flink SQL interval literal, in the unit the author wrote:
 * `{ amount: 24, unit: 'h' }` is `INTERVAL '24' HOUR`.
 */
export function toInterval(duration: Duration): string {
  return `INTERVAL '${duration.amount}' ${DURATION_UNITS[duration.unit].flink}`;
}

/**
 * Renders milliseconds as a Flink SQL interval literal in the largest whole unit, falling back to
 * fractional seconds (`INTERVAL '0.5' SECOND`) below one second.
 */
export function msToInterval(ms: number): string {
  const units = (Object.keys(DURATION_UNITS) as DurationUnit[]).reverse();
  const unit = units.find((candidate) => ms > 0 && ms % DURATION_UNITS[candidate].ms === 0);
  return unit === undefined ? `INTERVAL '${ms / 1000}' SECOND` : toInterval({ amount: ms / DURATION_UNITS[unit].ms, unit, ms });
}

/** A short description of an unexpected value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
