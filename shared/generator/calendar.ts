import { ConfigError } from '../errors.js';

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a `YYYY-MM-DD` calendar date to days since 1970-01-01 (UTC), rejecting anything else
 * (e.g. 2015-02-30) with a {@link ConfigError} that names `key`.
 * @param text - the date
 * @param key - the option or flag to name in the error, e.g. `--from`
 */
export function parseDay(text: string, key: string): number {
  const match = DATE.exec(text);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return Math.round(date.getTime() / DAY_MS);
    }
  }
  throw new ConfigError(key, `expected a calendar date YYYY-MM-DD, got '${text}'`);
}

/** Formats days since 1970-01-01 as `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day of the week of days since 1970-01-01 (0 = Sunday, as `Date#getUTCDay`). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** `"00"`…`"59"`, so formatting a time is three lookups. */
export const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
