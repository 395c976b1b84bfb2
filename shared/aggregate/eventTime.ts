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
