import { describe, expect, it } from 'vitest';
import { createPacer, eventTimeMs, rateDue, replayDue, type Clock } from '../../../shared/producer/pacing.js';
import { formatEventTime } from '../../../shared/producer/eventTime.js';

/** A fake clock: sleeping advances time exactly, and `drift` ms more to mimic late timers. */
const fakeClock = (drift = 0): Clock & { slept: number[] } => {
  let now = 1_000;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms + drift)) };
};

describe('Producer: pacing', () => {
  it('sends at most `rate` rows per second: 1,000 rows at 200/s take 4.995 s', async () => {
    const clock = fakeClock();
    const pacer = createPacer({ rate: 200 }, clock);
    const sentAt: number[] = [];
    for (let index = 0; index < 1000; index++) {
      await pacer.wait(index, undefined);
      sentAt.push(clock.now());
    }
    expect(sentAt[0]).toBe(1_000);
    expect(sentAt[999]).toBe(1_000 + 4_995);
    // In any one-second window there are at most 200 rows.
    for (let index = 200; index < 1000; index++) expect((sentAt[index] as number) - (sentAt[index - 200] as number)).toBeGreaterThanOrEqual(1000);
  });

  it('does not drift when sleeps overrun: the schedule is from the start', async () => {
    const clock = fakeClock(3);
    const pacer = createPacer({ rate: 10 }, clock);
    for (let index = 0; index < 50; index++) await pacer.wait(index, undefined);
    expect(clock.now()).toBeLessThanOrEqual(1_000 + 4_900 + 3);
    expect(rateDue(50, 10)).toBe(5_000);
  });

  it('replays event time N× faster: rows 10 min and 1 h after the first go 10 s and 60 s in at 60×', async () => {
    const clock = fakeClock();
    const pacer = createPacer({ speed: 60 }, clock);
    const times = ['2015-01-02 20:00:00', '2015-01-02T20:00:00', '2015-01-02 20:10:00', 'not a time', '2015-01-02 20:05:00', '2015-01-02 21:00:00'];
    const sentAt: number[] = [];
    for (const [index, time] of times.entries()) {
      await pacer.wait(index, eventTimeMs(time));
      sentAt.push(clock.now() - 1_000);
    }
    // An unparseable time and an out-of-order row go at once, never back in time.
    expect(sentAt).toEqual([0, 0, 10_000, 10_000, 10_000, 60_000]);
    expect(replayDue(eventTimeMs('2015-01-02 21:00:00') as number, eventTimeMs('2015-01-02 20:00:00') as number, 60)).toBe(60_000);
  });

  it('applies the slower of rate and replay', async () => {
    const clock = fakeClock();
    const pacer = createPacer({ speed: 1000, rate: 1 }, clock);
    await pacer.wait(0, eventTimeMs('2015-01-02 20:00:00'));
    await pacer.wait(1, eventTimeMs('2015-01-02 20:00:01'));
    await pacer.wait(2, eventTimeMs('2015-01-02 21:00:00'));
    expect(clock.now() - 1_000).toBe(3_600);
    expect(clock.slept).toEqual([1_000, 2_600]);
  });

  it('formats send times like the original producer, in UTC with microseconds', () => {
    expect(formatEventTime(Date.UTC(2023, 8, 7, 4, 33, 10, 472) + 0.585)).toBe('2023-09-07T04:33:10.472585');
    expect(formatEventTime(Date.UTC(2023, 8, 7, 4, 33, 10))).toBe('2023-09-07T04:33:10.000000');
  });
});
