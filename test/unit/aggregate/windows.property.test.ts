import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crossesWindowEnd,
  lastWindowEnd,
  sliceOf,
  sliceSize,
  slicesOfWindow,
  windowsEndingIn,
  windowsOfSlice,
  type Interval,
} from '../../../shared/aggregate/windows.js';
import { defineQuery, type Duration, type DurationUnit, type Window } from '../../../shared/queries/index.js';

// Fixed seed: a failure reproduces run after run (fast-check prints the counterexample and path).
const RUNS = { numRuns: 500, seed: 20150105 } as const;

type TimedWindow = Exclude<Window, { kind: 'none' }>;

/** A duration of `ms` milliseconds; the window functions read only `ms`. */
const duration = (ms: number): Duration => ({ amount: ms / 1000, unit: 's', ms });

/** Slice lengths from 1 ms to 60 h: counts of ms, seconds, minutes and hours. */
const sliceMsArb = fc
  .tuple(fc.integer({ min: 1, max: 60 }), fc.constantFrom(1, 1_000, 60_000, 3_600_000))
  .map(([count, unit]) => count * unit);

/** Slices per window: HOP and CUMULATE sizes are whole multiples of the slide or step. */
const multipleArb = fc.integer({ min: 1, max: 48 });

/** Windows built directly, with any slice length, including sub-second ones no author can write. */
const directWindowArb: fc.Arbitrary<TimedWindow> = fc.oneof(
  sliceMsArb.map((size): TimedWindow => ({ kind: 'tumble', size: duration(size) })),
  fc.tuple(sliceMsArb, multipleArb).map(([slide, m]): TimedWindow => ({ kind: 'hop', slide: duration(slide), size: duration(slide * m) })),
  fc.tuple(sliceMsArb, multipleArb).map(([step, m]): TimedWindow => ({ kind: 'cumulate', step: duration(step), size: duration(step * m) })),
);

/** Windows as an author writes them, validated by `defineQuery` (`'1 h'`, `'24 h'`, `'1 d'`…). */
const definedWindowArb: fc.Arbitrary<TimedWindow> = fc
  .record({
    kind: fc.constantFrom('tumble', 'hop', 'cumulate'),
    count: fc.integer({ min: 1, max: 30 }),
    unit: fc.constantFrom<DurationUnit>('s', 'min', 'h', 'd'),
    multiple: fc.integer({ min: 1, max: 24 }),
  })
  .map(({ kind, count, unit, multiple }) => {
    const size = `${count * multiple} ${unit}`;
    const part = `${count} ${unit}`;
    const window = kind === 'tumble' ? { kind, size } : kind === 'hop' ? { kind, slide: part, size } : { kind, step: part, size };
    return defineQuery({ name: 'property_query', window, aggregates: [{ name: 'n', fn: 'count' }] }).window as TimedWindow;
  });

const windowArb = fc.oneof(directWindowArb, definedWindowArb);

const EPOCH_2015 = Date.UTC(2015, 0, 1);
const EPOCH_2030 = Date.UTC(2031, 0, 1) - 1;

/** Event times: around the epoch (both signs), far either side of it, and in the data's years. */
const freeTimeArb = fc.oneof(
  fc.integer({ min: -10_000, max: 10_000 }),
  fc.integer({ min: -1e12, max: 1e12 }),
  fc.integer({ min: EPOCH_2015, max: EPOCH_2030 }),
);

const mod = (t: number, m: number): number => ((t % m) + m) % m;

/** Event times for a window: free, or on a slice boundary give or take 1 ms. */
const timeArbFor = (window: TimedWindow): fc.Arbitrary<number> => {
  const size = sliceSize(window);
  const onBoundary = fc.tuple(freeTimeArb, fc.constantFrom(-1, 0, 1)).map(([t, d]) => t - mod(t, size) + d);
  return fc.oneof(freeTimeArb, onBoundary);
};

const windowAndTimeArb = windowArb.chain((window) => fc.tuple(fc.constant(window), timeArbFor(window)));

/** Offsets of up to `slices` slice lengths either side, landing anywhere inside a slice. */
const offsetArb = (window: TimedWindow, slices: number): fc.Arbitrary<number> => {
  const size = sliceSize(window);
  return fc.integer({ min: -slices * size, max: slices * size });
};

// ---------------------------------------------------------------------------------------------
// Brute-force reference, written from the definitions of Flink's window TVFs, not from the code.
// ---------------------------------------------------------------------------------------------

const key = (win: Interval): string => `${win.start}:${win.end}`;
const keySet = (wins: readonly Interval[]): string[] => [...new Set(wins.map(key))].sort();
const contains = (win: Interval, t: number): boolean => win.start <= t && t < win.end;

/** The windows containing `t`, enumerated from each kind's definition. */
function windowsContaining(window: TimedWindow, t: number): Interval[] {
  const found: Interval[] = [];
  switch (window.kind) {
    case 'tumble': {
      const size = window.size.ms;
      const k = Math.floor(t / size);
      found.push({ start: k * size, end: (k + 1) * size });
      break;
    }
    case 'hop': {
      const { slide, size } = { slide: window.slide.ms, size: window.size.ms };
      for (let k = Math.floor((t - size) / slide) - 2; k <= Math.floor(t / slide) + 2; k++) {
        if (k * slide <= t && t < k * slide + size) found.push({ start: k * slide, end: k * slide + size });
      }
      break;
    }
    case 'cumulate': {
      const { step, size } = { step: window.step.ms, size: window.size.ms };
      const cycle = Math.floor(t / size) * size;
      for (let j = 1; j <= size / step; j++) if (t < cycle + j * step) found.push({ start: cycle, end: cycle + j * step });
      break;
    }
  }
  // The reference checks itself: each window it names really contains t.
  if (!found.every((win) => contains(win, t))) throw new Error(`reference is wrong for t=${t}`);
  return found;
}

/** Every window of the kind that overlaps `[lo, hi)`, by enumerating all windows near it. */
function windowsOverlapping(window: TimedWindow, lo: number, hi: number): Interval[] {
  const all: Interval[] = [];
  switch (window.kind) {
    case 'tumble': {
      const size = window.size.ms;
      for (let k = Math.floor(lo / size) - 2; k <= Math.floor(hi / size) + 2; k++) all.push({ start: k * size, end: (k + 1) * size });
      break;
    }
    case 'hop': {
      const { slide, size } = { slide: window.slide.ms, size: window.size.ms };
      for (let k = Math.floor((lo - size) / slide) - 2; k <= Math.floor(hi / slide) + 2; k++) all.push({ start: k * slide, end: k * slide + size });
      break;
    }
    case 'cumulate': {
      const { step, size } = { step: window.step.ms, size: window.size.ms };
      for (let c = Math.floor(lo / size) - 2; c <= Math.floor(hi / size) + 2; c++) {
        for (let j = 1; j <= size / step; j++) all.push({ start: c * size, end: c * size + j * step });
      }
      break;
    }
  }
  return all.filter((win) => win.start < hi && lo < win.end);
}

const byEndThenStart = (a: Interval, b: Interval): number => a.end - b.end || a.start - b.start;

describe('Aggregate: window assignment by slicing (properties)', () => {
  it('assigns a slice to exactly the windows that contain its event times', () => {
    fc.assert(
      fc.property(windowAndTimeArb, ([window, t]) => {
        const windows = windowsOfSlice(window, sliceOf(window, t).start);
        expect(keySet(windows)).toEqual(keySet(windowsContaining(window, t)));
        expect(windows).toHaveLength(new Set(windows.map(key)).size);
        expect([...windows].sort(byEndThenStart).map(key)).toEqual(windows.map(key));
      }),
      RUNS,
    );
  });

  it('puts each event time in one epoch-aligned slice of the slice length, and slices never partly overlap', () => {
    // The other time is either anywhere or within a few slices of t, so both outcomes occur.
    const arb = windowArb.chain((window) =>
      timeArbFor(window).chain((t) => fc.tuple(fc.constant(window), fc.constant(t), fc.oneof(timeArbFor(window), offsetArb(window, 3).map((o) => t + o)))),
    );
    fc.assert(
      fc.property(arb, ([window, t, u]) => {
        const size = sliceSize(window);
        const slice = sliceOf(window, t);
        expect(contains(slice, t)).toBe(true);
        expect(slice.end - slice.start).toBe(size);
        expect(mod(slice.start, size)).toBe(0);

        const otherSlice = sliceOf(window, u);
        const same = slice.start === otherSlice.start && slice.end === otherSlice.end;
        const disjoint = slice.end <= otherSlice.start || otherSlice.end <= slice.start;
        expect(same || disjoint).toBe(true);
      }),
      RUNS,
    );
  });

  it('makes every window of a slice from consecutive slices that cover it exactly, the slice among them', () => {
    fc.assert(
      fc.property(windowAndTimeArb, ([window, t]) => {
        const size = sliceSize(window);
        const slice = sliceOf(window, t);
        for (const win of windowsOfSlice(window, slice.start)) {
          const slices = slicesOfWindow(window, win);
          expect(slices.length).toBe((win.end - win.start) / size);
          expect(slices[0]?.start).toBe(win.start);
          expect(slices.at(-1)?.end).toBe(win.end);
          // One assertion for all slices keeps 500 runs of up to 48 × 48 slices fast.
          const misfits = slices.filter((s, i) => key(s) !== key(sliceOf(window, s.start)) || (i > 0 && s.start !== slices[i - 1]?.end));
          expect(misfits).toEqual([]);
          expect(slices.map(key)).toContain(key(slice));
        }
      }),
      RUNS,
    );
  });

  it('fires the windows ending in (after, upTo] that hold data, sorted by end then start', () => {
    const arb = windowArb.chain((window) =>
      fc.record({
        window: fc.constant(window),
        base: timeArbFor(window),
        offsets: fc.array(offsetArb(window, 20), { minLength: 0, maxLength: 12 }),
        after: fc.oneof(
          offsetArb(window, 25).map((offset) => ({ offset, aligned: false })),
          fc.tuple(fc.integer({ min: -25, max: 25 }), fc.constantFrom(-1, 0, 1)).map(([n, d]) => ({ offset: n * sliceSize(window) + d, aligned: true })),
        ),
        span: fc.oneof(fc.integer({ min: -2, max: 60 }).map((n) => n * sliceSize(window)), offsetArb(window, 60)),
      }),
    );
    fc.assert(
      fc.property(arb, ({ window, base, offsets, after: afterSpec, span }) => {
        const slices = offsets.map((offset) => sliceOf(window, base + offset));
        // An aligned `after` lands on (or 1 ms off) a window end, where off-by-one bounds show.
        const after = (afterSpec.aligned ? base - mod(base, sliceSize(window)) : base) + afterSpec.offset;
        const upTo = after + span;

        const expected = new Map<string, Interval>();
        for (const slice of slices) {
          for (const win of windowsOverlapping(window, slice.start, slice.end)) {
            if (win.end > after && win.end <= upTo) expected.set(key(win), win);
          }
        }
        const actual = windowsEndingIn(window, slices.map((s) => s.start), after, upTo);
        expect(actual.map(key)).toEqual([...expected.values()].sort(byEndThenStart).map(key));
      }),
      RUNS,
    );
  });

  it('ends a slice\'s life at the end of its last window', () => {
    fc.assert(
      fc.property(windowAndTimeArb, ([window, t]) => {
        const ends = windowsContaining(window, t).map((win) => win.end);
        expect(lastWindowEnd(window, sliceOf(window, t).start)).toBe(Math.max(...ends));
      }),
      RUNS,
    );
  });

  it('reports a watermark move as crossing a window end exactly when some window ends in (after, upTo]', () => {
    const arb = windowArb.chain((window) => {
      const size = sliceSize(window);
      const span = fc.oneof(
        fc.integer({ min: -3 * size, max: 50 * size }),
        fc.tuple(fc.integer({ min: -2, max: 50 }), fc.constantFrom(-1, 0, 1)).map(([n, d]) => n * size + d),
      );
      return fc.tuple(fc.constant(window), timeArbFor(window), span);
    });
    fc.assert(
      fc.property(arb, ([window, after, span]) => {
        const upTo = after + span;
        const ends = windowsOverlapping(window, after, upTo).map((win) => win.end);
        // Window ends fall on multiples of the slice length, which is why a move inside a slice fires nothing.
        expect(ends.every((end) => mod(end, sliceSize(window)) === 0)).toBe(true);
        const expected = ends.some((end) => end > after && end <= upTo);
        expect(crossesWindowEnd(window, after, upTo)).toBe(expected);
      }),
      RUNS,
    );
  });

  it('costs a record one slice whatever the overlap: a HOP touches the slices a TUMBLE of its slide would', () => {
    const arb = windowArb.chain((window) =>
      fc.tuple(fc.constant(window), timeArbFor(window), fc.array(offsetArb(window, 30), { minLength: 1, maxLength: 40 })),
    );
    fc.assert(
      fc.property(arb, ([window, base, offsets]) => {
        const times = offsets.map((offset) => base + offset);
        const slices = new Map(times.map((t) => [key(sliceOf(window, t)), sliceOf(window, t)]));
        expect(slices.size).toBeLessThanOrEqual(times.length);
        for (const t of times) expect([...slices.values()].filter((s) => contains(s, t))).toHaveLength(1);

        const tumble: Window = { kind: 'tumble', size: duration(sliceSize(window)) };
        const tumbleSlices = new Set(times.map((t) => key(sliceOf(tumble, t))));
        expect([...slices.keys()].sort()).toEqual([...tumbleSlices].sort());
        if (window.kind === 'hop') {
          const slide: Window = { kind: 'tumble', size: window.slide };
          expect(slices.size).toBe(new Set(times.map((t) => key(sliceOf(slide, t)))).size);
        }
      }),
      RUNS,
    );
  });
});
