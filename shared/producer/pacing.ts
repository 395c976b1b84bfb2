/**
 * When each row may be sent: at most `rate` rows per second, and/or replayed at `speed`× the
 * pace of its event time. Pure schedules plus a pacer that sleeps on an injectable clock.
 */

/** Options of {@link createPacer}. */
export interface PacingOptions {
  /** Rows per second at most. */
  readonly rate?: number;
  /** Replay speed: a row is due when (its event time − the first event time) / speed has elapsed. */
  readonly speed?: number;
}

/** A clock: `now()` in milliseconds and a `sleep`. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Offset (ms from the start) at which row `index` (0-based) is due under a rate limit.
 * Computed from the start, not from the previous row, so sleeps that overshoot never drift.
 */
export const rateDue = (index: number, rate: number): number => (index * 1000) / rate;

/** Offset (ms from the start) at which a row with event time `eventMs` is due at `speed`×. */
export const replayDue = (eventMs: number, firstEventMs: number, speed: number): number => Math.max(0, eventMs - firstEventMs) / speed;

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * Milliseconds of a `tr_datetime` (`YYYY-MM-DD HH:MM:SS`, space or `T`), read as UTC since only
 * differences matter; `undefined` when it is not one.
 */
export function eventTimeMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATETIME.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Number(`0.${fraction ?? '0'}`) * 1000;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Paces rows; see {@link createPacer}. */
export interface Pacer {
  /**
   * The ms to wait before row `index` (0-based) with event time `eventMs` may go; 0 when due.
   * Rows without an event time are due as soon as the rate allows.
   */
  delay(index: number, eventMs: number | undefined): number;
  /** Sleeps until the row is due. */
  wait(index: number, eventMs: number | undefined): Promise<void>;
}

/**
 * Creates a pacer. The start is the first call; the first event time seen is the replay origin.
 * Replay never goes backwards: an out-of-order row is due at once.
 * @param options - rate and speed (each optional: without either, every row is due at once)
 * @param clock - time source, injectable for tests
 */
export function createPacer(options: PacingOptions, clock: Clock): Pacer {
  let start: number | undefined;
  let firstEvent: number | undefined;
  const delay = (index: number, eventMs: number | undefined): number => {
    const now = clock.now();
    start ??= now;
    let due = 0;
    if (options.rate !== undefined) due = rateDue(index, options.rate);
    if (options.speed !== undefined && eventMs !== undefined) {
      firstEvent ??= eventMs;
      due = Math.max(due, replayDue(eventMs, firstEvent, options.speed));
    }
    return Math.max(0, start + due - now);
  };
  return {
    delay,
    async wait(index, eventMs) {
      const ms = delay(index, eventMs);
      if (ms > 0) await clock.sleep(ms);
    },
  };
}
