import { describe, expect, it } from 'vitest';
import { diffRows, sortRows } from '../../helpers/compareRows.js';

const W = { window_start: '2015-01-05T01:00:00', window_end: '2015-01-05T02:00:00' };

describe('Helper: sortRows', () => {
  it('orders by the key fields in turn, nulls first, strings by plain comparison', () => {
    const rows = [
      { window_start: 'b', division_name: '음료', n: 1 },
      { window_start: 'a', division_name: null, n: 2 },
      { window_start: 'a', division_name: '과자류', n: 3 },
      { window_start: 'a', division_name: '담배', n: 4 },
    ];
    expect(sortRows(rows, ['window_start', 'division_name']).map((row) => row.n)).toEqual([2, 3, 4, 1]);
    expect(rows[0]?.n).toBe(1);
  });
});

describe('Helper: diffRows', () => {
  it('finds no difference between equal sets in any order, numbers within the tolerance', () => {
    const expected = [
      { ...W, division_name: null, sum_of_mount: 0.3 },
      { ...W, division_name: '음료', sum_of_mount: 100 },
    ];
    const actual = [
      { ...W, division_name: '음료', sum_of_mount: 100 * (1 + 1e-12) },
      { ...W, division_name: null, sum_of_mount: 0.1 + 0.2 },
    ];
    expect(diffRows(actual, expected)).toEqual([]);
  });

  it('names missing rows, extra rows and differing fields', () => {
    const expected = [
      { ...W, division_name: '음료', sum_of_mount: 100, cnt: 2 },
      { ...W, division_name: '담배', sum_of_mount: 50, cnt: 1 },
    ];
    const actual = [
      { ...W, division_name: '음료', sum_of_mount: 100.001, cnt: 2 },
      { ...W, division_name: null, sum_of_mount: 150, cnt: 3 },
    ];
    expect(diffRows(actual, expected)).toEqual([
      `extra row window_start="2015-01-05T01:00:00" window_end="2015-01-05T02:00:00" division_name=null: {window_start: "2015-01-05T01:00:00", window_end: "2015-01-05T02:00:00", division_name: null, sum_of_mount: 150, cnt: 3}`,
      `missing row window_start="2015-01-05T01:00:00" window_end="2015-01-05T02:00:00" division_name="담배": expected {window_start: "2015-01-05T01:00:00", window_end: "2015-01-05T02:00:00", division_name: "담배", sum_of_mount: 50, cnt: 1}`,
      `row window_start="2015-01-05T01:00:00" window_end="2015-01-05T02:00:00" division_name="음료": sum_of_mount is 100.001, expected 100`,
    ]);
  });

  it('reports a field absent on one side, a value of another type, and a row that appears twice', () => {
    expect(diffRows([{ k: 'a', v: 1, extra: null }], [{ k: 'a', v: 1 }], { keyFields: ['k'] })).toEqual(['row k="a": extra is null, expected (absent)']);
    expect(diffRows([{ k: 'a', v: '1' }], [{ k: 'a', v: 1 }], { keyFields: ['k'] })).toEqual(['row k="a": v is "1", expected 1']);
    expect(diffRows([{ k: 'a', v: 1 }, { k: 'a', v: 1 }], [{ k: 'a', v: 1 }])).toEqual(['extra row k="a": {k: "a", v: 1}']);
  });

  it('uses the given tolerance and caps the list', () => {
    expect(diffRows([{ k: 'a', v: 101 }], [{ k: 'a', v: 100 }], { tolerance: 0.02 })).toEqual([]);
    const many = Array.from({ length: 10 }, (_, i) => ({ k: String(i), v: i }));
    expect(diffRows([], many, { limit: 3 })).toEqual([expect.stringMatching(/^missing row k="0"/), expect.stringMatching(/^missing row k="1"/), expect.stringMatching(/^missing row k="2"/), '… and 7 more differences']);
  });
});
