/**
 * Formats a send time as the original producer did: ISO-8601 in UTC without a zone and with
 * microseconds, e.g. `2023-09-07T04:33:10.472585`.
 * @param epochMs - milliseconds since the epoch, fractional for sub-millisecond precision
 */
export function formatEventTime(epochMs: number): string {
  const micros = Math.floor(epochMs * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(micros - seconds * 1_000_000).padStart(6, '0')}`;
}

/** The current time with sub-millisecond precision (ms since the epoch). */
export const preciseNow = (): number => performance.timeOrigin + performance.now();
