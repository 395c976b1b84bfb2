import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packDistinctValue } from '../../../shared/aggregate/distinctValue.js';

describe('Aggregate: packed distinct values', () => {
  it('packs a receipt small', () => {
    expect(Buffer.from(packDistinctValue(['12345', '1', '8325']), 'latin1').length).toBeLessThanOrEqual(7);
  });

  it('never packs two different tuples alike (numbers, leading zeros, any text)', () => {
    const field = fc.oneof(fc.nat({ max: 10_000_000 }).map(String), fc.string({ maxLength: 6 }), fc.constantFrom('0', '00', '007', '7', ''));
    const tuple = fc.array(field, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        const same = a.length === b.length && a.every((value, i) => value === b[i]);
        expect(packDistinctValue(a) === packDistinctValue(b)).toBe(same);
      }),
      { numRuns: 2_000 },
    );
  });
});
