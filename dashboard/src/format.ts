/**
 * Text formats of the dashboard: Korean won, counts, event times and hour labels. The API sends
 * event times zone-less (`2015-03-01T12:34:56`, the store's local time), so they are reshaped as
 * text, never through `Date`, which would shift them by the browser's zone.
 */

const KRW = new Intl.NumberFormat('ko-KR', { style: 'currency', currency: 'KRW' });
const COUNT = new Intl.NumberFormat('ko-KR');
const COMPACT = new Intl.NumberFormat('ko-KR', { notation: 'compact', maximumFractionDigits: 1 });
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}/;

/** What the page shows where a value is null. */
export const MISSING = '—';

/**
 * Formats an amount in Korean won, `₩12,345,678`.
 * @param amount - KRW, or null for {@link MISSING}
 */
export const formatKrw = (amount: number | null): string => (amount === null ? MISSING : KRW.format(amount));

/**
 * Formats a count with Korean digit grouping, `12,345`.
 * @param count - a count, or null for {@link MISSING}
 */
export const formatCount = (count: number | null): string => (count === null ? MISSING : COUNT.format(count));

/**
 * Formats a number short for an axis tick, `1235만`.
 * @param value - a tick value; Chart.js passes numbers or strings
 */
export const formatCompact = (value: number | string): string => (typeof value === 'number' ? COMPACT.format(value) : value);

/**
 * Formats an event time for reading: `2015-03-01 12:34:56`.
 * @param eventTime - `YYYY-MM-DDTHH:MM:SS`, or null for {@link MISSING}
 */
export const formatEventTime = (eventTime: string | null): string => (eventTime === null ? MISSING : eventTime.replace('T', ' '));

/**
 * Formats a window start as the hour it covers, `03-01 12:00`. The API sends zone-less
 * date-times; epoch milliseconds (on the same UTC-aligned axis) are accepted too.
 * @param windowStart - `YYYY-MM-DDTHH:MM:SS`, or epoch milliseconds as text
 */
export function formatHourLabel(windowStart: string): string {
  const text = LOCAL_DATETIME.test(windowStart)
    ? windowStart
    : /^\d+$/.test(windowStart)
      ? new Date(Number(windowStart)).toISOString()
      : undefined;
  return text === undefined ? windowStart : `${text.slice(5, 10)} ${text.slice(11, 13)}:00`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Formats the browser's wall-clock time, `HH:MM:SS`, 24-hour whatever the locale.
 * @param date - the moment to format
 */
export const formatClock = (date: Date): string => `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
