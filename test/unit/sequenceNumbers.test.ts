import { describe, expect, it } from 'vitest';
import { compareSequenceNumbers, sequenceSortKey } from '../../shared/sequenceNumbers.js';

const a = '49590338271490256608559692538361571095921575989136588898';
const b = '49590338271490256608559692538361571095921575989136588899';

describe('Sequence numbers', () => {
  it('compares 56-digit numbers exactly where Number cannot', () => {
    expect(Number(a)).toBe(Number(b));
    expect(compareSequenceNumbers(a, b)).toBeLessThan(0);
    expect(compareSequenceNumbers(b, a)).toBeGreaterThan(0);
    expect(compareSequenceNumbers(a, a)).toBe(0);
  });

  it('orders by magnitude across lengths, ignoring leading zeros', () => {
    expect(compareSequenceNumbers('999', '1000')).toBeLessThan(0);
    expect(compareSequenceNumbers('0042', '42')).toBe(0);
  });

  it('gives sort keys that order as strings the way the numbers do', () => {
    const sorted = ['1000', a, '999', b, '5'].map(sequenceSortKey).sort();
    expect(sorted.map((key) => key.replace(/^0+/, ''))).toEqual(['5', '999', '1000', a, b]);
  });

  it('refuses what is not a sequence number', () => {
    expect(() => compareSequenceNumbers('12a', '1')).toThrow(TypeError);
  });
});
