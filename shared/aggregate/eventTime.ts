/**
 * Event time as the aggregate stage sees it: `tr_datetime` is a local date-time without a zone
 * (`2015-01-05T01:02:03`), so it is read as if it were UTC. Windows then align to local hours
 * and days, as Flink's windows over a `TIMESTAMP` (without local time zone) column do, and
 * results are written back in the same zone-less form.
 */

const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/;

/**
 * Milliseconds of a zone-less local date-time on the UTC-aligned axis, or `undefined` when the
 * text is not one.
 * @param text - `YYYY-MM-DDTHH:MM:SS` (a space instead of `T`, and fractional seconds, accepted)
 */
export function eventTimeOf(text: string): number | undefined {
  const fast = fastEventTime(text);
  if (fast !== undefined) return fast;
  const match = LOCAL_DATETIME.exec(text);
  if (match === null) return undefined;
  const date = new Date(Date.UTC(2000, 0, 1));
  date.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  date.setUTCHours(Number(match[4]), Number(match[5]), Number(match[6]), match[7] === undefined ? 0 : Math.floor(Number(`0${match[7]}`) * 1000));
  const ms = date.getTime();
  // Date rolls 2015-02-30 over to March and 00:00:60 to 00:01:00: a field out of range is not an event time.
  if (Number.isNaN(ms) || formatLocal(ms) !== `${text.slice(0, 10)}T${text.slice(11, 19)}`) return undefined;
  return ms;
}

/** Formats milliseconds on the UTC-aligned axis as a zone-less ISO-8601 local date-time, `2015-01-05T01:00:00`. */
export const formatLocal = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digit = (text: string, i: number): number => text.charCodeAt(i) - 48;
const pair = (text: string, i: number): number => digit(text, i) * 10 + digit(text, i + 1);

/**
 * The common case without a regular expression or a round trip: exactly `YYYY-MM-DDTHH:MM:SS`
 * (or with a space), every field in range, years 1000–9999. Anything else: undefined, and the
 * careful path decides.
 */
function fastEventTime(text: string): number | undefined {
  if (text.length !== 19 || text[4] !== '-' || text[7] !== '-' || (text[10] !== 'T' && text[10] !== ' ') || text[13] !== ':' || text[16] !== ':') return undefined;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) {
    const d = digit(text, i);
    if (d < 0 || d > 9) return undefined;
  }
  const year = pair(text, 0) * 100 + pair(text, 2);
  const month = pair(text, 5);
  const day = pair(text, 8);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (year < 1000 || monthDays === undefined || day < 1 || day > monthDays) return undefined;
  const hour = pair(text, 11);
  const minute = pair(text, 14);
  const second = pair(text, 17);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}
