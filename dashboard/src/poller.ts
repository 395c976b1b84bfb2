/**
 * A poll loop that never overlaps: the next request is scheduled only when the last one ended,
 * so a slow API gets one request at a time rather than a growing queue.
 */

/** The default poll period. @default 1000 ms */
export const DEFAULT_POLL_MS = 1000;
/** The shortest poll period `?poll=` may ask for. @default 200 ms */
export const MIN_POLL_MS = 200;

/** What a tick wants next: another tick after the period, or to wait for {@link Poller.resume}. */
export type PollNext = 'continue' | 'pause';

/** A running poll loop. */
export interface Poller {
  /** Ticks now (or right after the tick in flight) and keeps polling. */
  resume(): void;
}

/**
 * Reads the poll period from the query string, `?poll=<ms>`, at least {@link MIN_POLL_MS}.
 * @param search - `location.search`
 */
export function pollPeriodOf(search: string): number {
  const raw = new URLSearchParams(search).get('poll');
  const ms = raw === null || raw.trim() === '' ? Number.NaN : Number(raw);
  return Number.isFinite(ms) ? Math.max(MIN_POLL_MS, Math.round(ms)) : DEFAULT_POLL_MS;
}

/**
 * Creates a paused poll loop; call `resume()` to start it.
 * @param tick - one poll; it should not reject (a rejection counts as `'continue'`)
 * @param periodMs - the pause between the end of one tick and the start of the next
 */
export function createPoller(tick: () => Promise<PollNext>, periodMs: number): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  // Set when resume() is called during a tick: that tick's answer may be stale (an old key).
  let resumeAfter = false;

  const run = async (): Promise<void> => {
    timer = undefined;
    inFlight = true;
    let next: PollNext = 'continue';
    try {
      next = await tick();
    } catch {
      next = 'continue';
    } finally {
      inFlight = false;
    }
    if (resumeAfter) {
      resumeAfter = false;
      timer = setTimeout(() => void run(), 0);
    } else if (next === 'continue') {
      timer = setTimeout(() => void run(), periodMs);
    }
  };

  return {
    resume: () => {
      if (inFlight) {
        resumeAfter = true;
        return;
      }
      if (timer !== undefined) clearTimeout(timer);
      void run();
    },
  };
}
