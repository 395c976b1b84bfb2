/**
 * Window assignment by slicing, as Flink's window table-valued functions do it: each window kind
 * cuts event time into non-overlapping slices, a record updates exactly one slice, and a window
 * is the union of consecutive slices. TUMBLE's slice is the window; HOP's is the slide (which
 * divides the size); CUMULATE's is the step. So a record costs one state update whatever the
 * overlap, and a 24-hour HOP reads 24 one-hour slices when it fires.
 *
 * All times are milliseconds on the UTC-aligned axis (see `eventTime.ts`); windows align to the
 * epoch, as Flink's do with no offset.
 */
import type { Window } from '../queries/definition.js';

/** A half-open interval of event time, `[start, end)`. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** The slice of a continuously updated query (no window): all of time. */
export const GLOBAL_SLICE: Interval = { start: 0, end: Number.POSITIVE_INFINITY };

const floorTo = (t: number, size: number): number => Math.floor(t / size) * size;

/** The length of a window's slices, in milliseconds; infinite for no window. */
export function sliceSize(window: Window): number {
  switch (window.kind) {
    case 'none':
      return Number.POSITIVE_INFINITY;
    case 'tumble':
      return window.size.ms;
    case 'hop':
      return window.slide.ms;
    case 'cumulate':
      return window.step.ms;
  }
}

/**
 * The slice an event time falls in.
 * @param t - event time, ms
 */
export function sliceOf(window: Window, t: number): Interval {
  if (window.kind === 'none') return GLOBAL_SLICE;
  const size = sliceSize(window);
  const start = floorTo(t, size);
  return { start, end: start + size };
}

/**
 * Every window a slice belongs to, by ascending end. For HOP, the windows whose start is a
 * multiple of the slide and which cover the slice; for CUMULATE, the windows of the slice's
 * cycle (`size`) that end at or after the slice's end.
 * @param sliceStart - the start of a slice returned by {@link sliceOf}
 */
export function windowsOfSlice(window: Window, sliceStart: number): Interval[] {
  switch (window.kind) {
    case 'none':
      return [GLOBAL_SLICE];
    case 'tumble':
      return [{ start: sliceStart, end: sliceStart + window.size.ms }];
    case 'hop': {
      const { slide, size } = { slide: window.slide.ms, size: window.size.ms };
      const windows: Interval[] = [];
      for (let start = sliceStart - size + slide; start <= sliceStart; start += slide) windows.push({ start, end: start + size });
      return windows;
    }
    case 'cumulate': {
      const { step, size } = { step: window.step.ms, size: window.size.ms };
      const cycle = floorTo(sliceStart, size);
      const windows: Interval[] = [];
      for (let end = sliceStart + step; end <= cycle + size; end += step) windows.push({ start: cycle, end });
      return windows;
    }
  }
}

/**
 * The slices a window is made of, by ascending start.
 * @param win - a window returned by {@link windowsOfSlice}
 */
export function slicesOfWindow(window: Window, win: Interval): Interval[] {
  if (window.kind === 'none') return [GLOBAL_SLICE];
  const size = sliceSize(window);
  const slices: Interval[] = [];
  for (let start = win.start; start < win.end; start += size) slices.push({ start, end: start + size });
  return slices;
}

/**
 * The windows that end in `(after, upTo]` and contain at least one of the given slices: what
 * fires when the watermark moves from `after` to `upTo`, given the slices that hold data.
 * Sorted by end, then start.
 * @param sliceStarts - starts of the slices that hold data
 */
export function windowsEndingIn(window: Window, sliceStarts: Iterable<number>, after: number, upTo: number): Interval[] {
  if (window.kind === 'none') return [];
  const byKey = new Map<string, Interval>();
  for (const sliceStart of sliceStarts) {
    for (const win of windowsOfSlice(window, sliceStart)) {
      if (win.end > after && win.end <= upTo) byKey.set(`${win.start}:${win.end}`, win);
    }
  }
  return [...byKey.values()].sort((a, b) => a.end - b.end || a.start - b.start);
}

/**
 * The end of the last window a slice belongs to: once the watermark passes it (plus the allowed
 * lateness), nothing can change or read the slice again.
 */
export function lastWindowEnd(window: Window, sliceStart: number): number {
  const windows = windowsOfSlice(window, sliceStart);
  return (windows[windows.length - 1] as Interval).end;
}

/**
 * Whether moving the watermark from `after` to `upTo` passes the end of any window: window
 * ends fall on multiples of the slice size, so a move within one slice fires nothing and needs
 * no firing claim.
 */
export function crossesWindowEnd(window: Window, after: number, upTo: number): boolean {
  if (window.kind === 'none' || upTo <= after) return false;
  const size = sliceSize(window);
  return Math.floor(upTo / size) > Math.floor(after / size);
}
