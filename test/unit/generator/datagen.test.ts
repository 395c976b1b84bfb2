import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { datagenRows, formatTimestamp } from '../../../shared/generator/datagen.js';
import { parseDatagenSchema } from '../../../shared/generator/datagenSchema.js';
import { paceRows, type PaceClock } from '../../../shared/generator/pace.js';
import { writeLines } from '../../../shared/generator/writeLines.js';

const rowsOf = (schema: unknown, options: Parameters<typeof datagenRows>[1] = {}) => [...datagenRows(parseDatagenSchema(schema), options)];

/** A clock whose sleep advances time instantly, recording each wait. */
function fakeClock(): PaceClock & { time: number; sleeps: number[] } {
  const clock = {
    time: 1_000,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

const errorOf = (schema: unknown): unknown => {
  try {
    parseDatagenSchema(schema);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('Generator: datagen', () => {
  it('ends the stream when a sequence is exhausted, counting start to end', () => {
    const rows = rowsOf({ fields: { id: { type: 'int', kind: 'sequence', start: 1, end: 1000 }, name: { type: 'string', length: 10 } } });
    expect(rows).toHaveLength(1000);
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(rowsOf({ fields: { code: { type: 'string', kind: 'sequence', start: 5, end: 7 } } })).toEqual([{ code: '5' }, { code: '6' }, { code: '7' }]);
  });

  it('stops at rows or number-of-rows, whichever applies first with the sequence', () => {
    const schema = { fields: { id: { type: 'int', kind: 'sequence', start: 0, end: 99 } } };
    expect(rowsOf(schema, { rows: 10 })).toHaveLength(10);
    expect(rowsOf({ ...schema, 'number-of-rows': 20 })).toHaveLength(20);
    expect(rowsOf({ ...schema, 'number-of-rows': 20 }, { rows: 500 })).toHaveLength(100);
  });

  it('is unbounded without a row limit or a sequence', () => {
    const iterator = datagenRows(parseDatagenSchema({ fields: { b: { type: 'boolean' } } }));
    for (let i = 0; i < 10_000; i++) expect(iterator.next().done).toBe(false);
  });

  it('draws random values within min and max, reaching both ends of an int range', () => {
    const rows = rowsOf(
      { fields: { i: { type: 'int', min: -2, max: 2 }, d: { type: 'double', min: 0.5, max: 1.5 }, b: { type: 'boolean' } } },
      { rows: 5_000, seed: 3 },
    );
    const ints = new Set(rows.map((row) => row.i));
    expect([...ints].sort()).toEqual([-1, -2, 0, 1, 2]);
    expect(rows.every((row) => typeof row.d === 'number' && row.d >= 0.5 && row.d < 1.5)).toBe(true);
    expect(new Set(rows.map((row) => row.b))).toEqual(new Set([true, false]));
    expect(rowsOf({ fields: { i: { type: 'int' } } }, { rows: 100 }).some((row) => (row.i as number) < 0)).toBe(true);
  });

  it('makes random strings of the given length in hex, and reproduces them from the seed', () => {
    const schema = { fields: { s: { type: 'string', length: 12 } } };
    const rows = rowsOf(schema, { rows: 100, seed: 9 });
    expect(rows.every((row) => /^[0-9a-f]{12}$/.test(row.s as string))).toBe(true);
    expect(rowsOf(schema, { rows: 100, seed: 9 })).toEqual(rows);
    expect(rowsOf(schema, { rows: 100, seed: 10 })).not.toEqual(rows);
    expect((rowsOf({ fields: { s: { type: 'string' } } }, { rows: 1 })[0]?.s as string).length).toBe(100);
  });

  it('makes random timestamps within max-past of the clock and nulls at the null-rate', () => {
    const now = Date.UTC(2015, 0, 2, 20, 0, 0);
    const rows = rowsOf({ fields: { ts: { type: 'timestamp', 'max-past': 60_000 }, n: { type: 'int', min: 1, max: 1, 'null-rate': 0.25 } } }, { rows: 4_000, now: () => now });
    expect(rows.every((row) => (row.ts as string) >= '2015-01-02 19:59:00.000' && (row.ts as string) <= formatTimestamp(now))).toBe(true);
    const nulls = rows.filter((row) => row.n === null).length / rows.length;
    expect(nulls).toBeGreaterThan(0.2);
    expect(nulls).toBeLessThan(0.3);
  });

  it('rejects an invalid schema with an error naming the field', () => {
    expect(errorOf({ fields: { id: { type: 'bigint' } } })).toMatchObject({ key: "field 'id'", message: expect.stringContaining('type must be one of') });
    expect(errorOf({ fields: { id: { type: 'int', kind: 'sequence', start: 1 } } })).toMatchObject({ key: "field 'id'", message: expect.stringContaining('start and end') });
    expect(errorOf({ fields: { id: { type: 'int', kind: 'sequence', start: 5, end: 1 } } })).toMatchObject({ key: "field 'id'" });
    expect(errorOf({ fields: { x: { type: 'int', min: 3, max: 1 } } })).toMatchObject({ key: "field 'x'", message: expect.stringContaining('min (3) is greater than max (1)') });
    expect(errorOf({ fields: { x: { type: 'int', min: 0.5 } } })).toMatchObject({ key: "field 'x'", message: expect.stringContaining('min must be an integer') });
    expect(errorOf({ fields: { s: { type: 'string', lenght: 3 } } })).toMatchObject({ key: "field 's'", message: expect.stringContaining("unknown option 'lenght'") });
    expect(errorOf({ fields: { s: { type: 'string', length: -1 } } })).toMatchObject({ key: "field 's'" });
    expect(errorOf({ fields: { b: { type: 'boolean', kind: 'sequence' } } })).toMatchObject({ key: "field 'b'" });
    expect(errorOf({ fields: { k: { type: 'int', kind: 'cyclic' } } })).toMatchObject({ key: "field 'k'" });
    expect(errorOf({ fields: { n: { type: 'double', 'null-rate': 2 } } })).toMatchObject({ key: "field 'n'" });
    expect(errorOf({ fields: {} })).toMatchObject({ key: 'schema' });
    expect(errorOf([1])).toMatchObject({ key: 'schema' });
    expect(errorOf({ fields: { a: { type: 'int' } }, rate: 3 })).toMatchObject({ key: 'schema', message: expect.stringContaining("'rate'") });
  });

  it('releases rows at rows-per-second, in groups of what is due', async () => {
    const clock = fakeClock();
    const released: number[] = [];
    let count = 0;
    for await (const group of paceRows(Array.from({ length: 10 }, (_, i) => i), 5, clock)) {
      for (const row of group) {
        released.push(clock.time - 1_000);
        expect(row).toBe(count++);
      }
    }
    expect(count).toBe(10);
    released.forEach((at, i) => expect(at).toBeGreaterThanOrEqual(i * 200));
    expect(clock.time - 1_000).toBe(1_800);
  });

  it('does not wait when the rate is 0 (unlimited)', async () => {
    const clock = fakeClock();
    const groups: number[][] = [];
    for await (const group of paceRows(Array.from({ length: 2_500 }, (_, i) => i), 0, clock)) groups.push(group);
    expect(clock.sleeps).toEqual([]);
    expect(groups.map((group) => group.length)).toEqual([1_000, 1_000, 500]);
  });

  it('holds a real rate loosely: 20 rows at 100/s take about 0.19 s', async () => {
    const started = performance.now();
    let count = 0;
    for await (const group of paceRows(Array.from({ length: 20 }, (_, i) => i), 100)) count += group.length;
    const elapsed = performance.now() - started;
    expect(count).toBe(20);
    expect(elapsed).toBeGreaterThanOrEqual(185);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('writes every line through a slow stream and stops quietly on a closed pipe', async () => {
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk.toString());
        setImmediate(callback);
      },
    });
    const lines = Array.from({ length: 2_000 }, (_, i) => `${i}\n`);
    const result = await writeLines(lines, slow, { chunkChars: 100 });
    expect(result).toEqual({ lines: 2_000, closedEarly: false });
    expect(received.join('')).toBe(lines.join(''));

    const pipe = new PassThrough({ highWaterMark: 8 });
    setImmediate(() => pipe.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
    const endless = (function* () {
      for (;;) yield 'line\n';
    })();
    expect((await writeLines(endless, pipe, { chunkChars: 64 })).closedEarly).toBe(true);
  });
});
