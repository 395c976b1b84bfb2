import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeOf, formatLocal } from '../../../shared/aggregate/eventTime.js';

// Fixed seed: a failure reproduces run after run (fast-check prints the counterexample and path).
const RUNS = { numRuns: 500, seed: 20150105 } as const;

interface Fields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

// ---------------------------------------------------------------------------------------------
// Brute-force calendar reference: Gregorian rules and day counting, without `Date`.
// ---------------------------------------------------------------------------------------------

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const daysIn = (year: number, month: number): number => (month === 2 && isLeap(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0));

/** Milliseconds since 1970-01-01T00:00:00 of fields from 1970 on, by counting days. */
function referenceMs({ year, month, day, hour, minute, second }: Fields): number {
  let days = day - 1;
  for (let y = 1970; y < year; y++) days += isLeap(y) ? 366 : 365;
  for (let m = 1; m < month; m++) days += daysIn(year, m);
  return (((days * 24 + hour) * 60 + minute) * 60 + second) * 1000;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const text = (f: Fields, separator = 'T'): string =>
  `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}${separator}${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}`;

/** Real date-times in the given years, every day of every month reachable (29 February included). */
const validFieldsArb = (minYear: number, maxYear: number): fc.Arbitrary<Fields> =>
  fc
    .tuple(fc.integer({ min: minYear, max: maxYear }), fc.integer({ min: 1, max: 12 }))
    .chain(([year, month]) =>
      fc.record({
        year: fc.constant(year),
        month: fc.constant(month),
        day: fc.integer({ min: 1, max: daysIn(year, month) }),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        second: fc.integer({ min: 0, max: 59 }),
      }),
    );

const twoDigitsArb = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

describe('Aggregate: event time (properties)', () => {
  it('reads a zone-less local date-time as UTC and formats it back to the same text', () => {
    fc.assert(
      fc.property(validFieldsArb(1970, 2099), (fields) => {
        const ms = eventTimeOf(text(fields));
        expect(ms).toBe(referenceMs(fields));
        expect(formatLocal(ms as number)).toBe(text(fields));
      }),
      RUNS,
    );
  });

  it('formats back every real date-time of years 0100 to 9999, before the epoch included', () => {
    fc.assert(
      fc.property(validFieldsArb(100, 9999), (fields) => {
        const ms = eventTimeOf(text(fields));
        expect(ms).toBeTypeOf('number');
        expect(formatLocal(ms as number)).toBe(text(fields));
      }),
      RUNS,
    );
  });

  it('reads a space instead of T as the same time, and fractional seconds as whole milliseconds', () => {
    const fractionArb = fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(validFieldsArb(1970, 2099), fractionArb, (fields, fraction) => {
        const ms = referenceMs(fields);
        const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
        expect(eventTimeOf(text(fields, ' '))).toBe(ms);
        expect(eventTimeOf(`${text(fields)}.${fraction}`)).toBe(ms + millis);
        expect(eventTimeOf(`${text(fields, ' ')}.${fraction}`)).toBe(ms + millis);
      }),
      RUNS,
    );
  });

  it.each(['2015-02-30T00:00:00', '2015-02-29T12:00:00', '2100-02-29T00:00:00', '2015-04-31T00:00:00', '2015-01-00T00:00:00', '2015-01-05T25:00:00', '2015-01-05T24:00:00', '2015-01-05T23:60:00'])(
    'rejects the impossible date-time %s',
    (input) => {
      expect(eventTimeOf(input)).toBeUndefined();
    },
  );

  it('rejects days past the end of their month, hours past 23 and minutes past 59', () => {
    const impossibleArb = validFieldsArb(1970, 2099).chain((fields) =>
      fc.oneof(
        fc.integer({ min: daysIn(fields.year, fields.month) + 1, max: 99 }).map((day) => ({ ...fields, day })),
        fc.constant({ ...fields, day: 0 }),
        twoDigitsArb(24, 99).map((hour) => ({ ...fields, hour })),
        twoDigitsArb(60, 99).map((minute) => ({ ...fields, minute })),
      ),
    );
    fc.assert(
      fc.property(impossibleArb, (fields) => {
        expect(eventTimeOf(text(fields))).toBeUndefined();
      }),
      RUNS,
    );
  });

  it.each(['', 'garbage', '2015-01-05', '01:02:03', '2015-01-05T01:02', '15-01-05T01:02:03', '2015-1-5T01:02:03', '2015-01-05t01:02:03', '2015-01-05T01:02:03Z', '2015-01-05T01:02:03+09:00', ' 2015-01-05T01:02:03', '2015-01-05T01:02:03.', '２０１５-01-05T01:02:03'])(
    'rejects %j, which is not a local date-time',
    (input) => {
      expect(eventTimeOf(input)).toBeUndefined();
    },
  );

  it('rejects random text that is not shaped like a date-time', () => {
    const shape = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?$/;
    const garbageArb = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '-', ':', 'T', ' ', '.', 'Z'), maxLength: 26 }),
    );
    fc.assert(
      fc.property(
        garbageArb.filter((s) => !shape.test(s)),
        (input) => {
          expect(eventTimeOf(input)).toBeUndefined();
        },
      ),
      RUNS,
    );
  });

  // Known bugs, reported and not yet fixed: `eventTimeOf` checks only the day and hour after
  // `Date.UTC` rolls over, and `Date.UTC` maps years 0–99 to 1900–1999. Each test states the
  // expected behaviour and is marked `fails` so the suite stays green meanwhile; turn `it.fails`
  // into `it` with the fix.
  it('rejects months 00 and 13 to 99 (bug: 2015-13-01 reads as 2016-01-01, 2015-00-10 as 2014-12-10)', () => {
    const badMonthArb = validFieldsArb(1970, 2099).chain((fields) =>
      fc.oneof(fc.constant(0), twoDigitsArb(13, 99)).map((month) => ({ ...fields, month, day: Math.min(fields.day, 28) })),
    );
    fc.assert(
      fc.property(badMonthArb, (fields) => {
        expect(eventTimeOf(text(fields))).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('rejects seconds 60 to 99 (bug: 2015-01-01T00:00:60 reads as 2015-01-01T00:01:00)', () => {
    const badSecondArb = validFieldsArb(1970, 2099).chain((fields) => twoDigitsArb(60, 99).map((second) => ({ ...fields, second })));
    fc.assert(
      fc.property(badSecondArb, (fields) => {
        expect(eventTimeOf(text(fields))).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('reads years 0000 to 0099 as themselves or not at all (bug: 0050-01-01T00:00:00 reads as 1950-01-01)', () => {
    fc.assert(
      fc.property(validFieldsArb(0, 99), (fields) => {
        const ms = eventTimeOf(text(fields));
        if (ms !== undefined) expect(formatLocal(ms)).toBe(text(fields));
      }),
      RUNS,
    );
  });
});
