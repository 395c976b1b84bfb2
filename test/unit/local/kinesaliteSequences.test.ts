import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fastSequences, type KinesaliteSequenceFunctions, type SequenceParts } from '../../../local/stack/kinesaliteSequences.js';
import { seededRandom } from '../../../shared/random.js';

/** kinesalite's own functions, from a copy of its db module loaded apart from any patched one. */
function originalFunctions(): KinesaliteSequenceFunctions {
  const require = createRequire(import.meta.url);
  const path = require.resolve('kinesalite/db');
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as KinesaliteSequenceFunctions;
  } finally {
    if (cached) require.cache[path] = cached;
    else delete require.cache[path];
  }
}

const original = originalFunctions();
const fast = fastSequences(original);
const random = seededRandom(20261121);
const int = (below: number): number => Math.floor(random() * below);

/** Sequence parts as kinesalite's putRecords and createStream build them. */
function partsLike(): Partial<SequenceParts> {
  const shardCreateTime = 1_500_000_000_000 + int(400_000_000) * 1000;
  const shardIx = int(5) === 0 ? int(2_000) : int(8);
  const seqIx = [0, 1, int(1_000), int(2 ** 31), Number.MAX_SAFE_INTEGER - int(1000)][int(5)] as number;
  const parts: Partial<SequenceParts> = { shardCreateTime, shardIx };
  if (int(4) > 0) parts.seqIx = int(2) === 0 ? seqIx : String(seqIx) + '0'.repeat(int(3));
  if (int(4) > 0) parts.seqTime = shardCreateTime + int(90_000_000) * 1000 + int(1000);
  if (int(8) === 0) parts.byte1 = int(256).toString(16).padStart(2, '0');
  return parts;
}

describe('kinesalite sequence numbers on BigInt', () => {
  it('stringifies, parses and increments exactly as kinesalite does', () => {
    for (let i = 0; i < 3_000; i++) {
      const parts = partsLike();
      const sequence = fast.stringifySequence(parts);
      expect(sequence).toBe(original.stringifySequence(parts));
      expect(fast.parseSequence(sequence)).toEqual(original.parseSequence(sequence));
      expect(fast.incrementSequence(sequence)).toBe(original.incrementSequence(sequence));
      const seqTime = 1_600_000_000_000 + int(1000) * 1000;
      expect(fast.incrementSequence(fast.parseSequence(sequence), seqTime)).toBe(original.incrementSequence(original.parseSequence(sequence), seqTime));
    }
  });

  it('hands sequence numbers of other versions and malformed ones to kinesalite, errors included', () => {
    const small = ['0', '1', '12345678901234567890', '49590338271490256608559692538361571095921575989136588898'];
    for (const sequence of small) expect(fast.parseSequence(sequence)).toEqual(original.parseSequence(sequence));
    for (const bad of ['abc', '', '-5', '1e50', 'x'.repeat(3)]) {
      let expected: unknown;
      try {
        expected = original.parseSequence(bad);
      } catch (error) {
        expected = (error as Error).message;
      }
      let actual: unknown;
      try {
        actual = fast.parseSequence(bad);
      } catch (error) {
        actual = (error as Error).message;
      }
      expect(actual, bad).toEqual(expected);
    }
    const negative = { shardCreateTime: 1_500_000_000_000, shardIx: -3, seqIx: 4 };
    expect(fast.stringifySequence(negative)).toBe(original.stringifySequence(negative));
    const fractional = { shardCreateTime: 1_500_000_000_000, shardIx: 1, seqIx: '12.5' };
    expect(fast.stringifySequence(fractional)).toBe(original.stringifySequence(fractional));
  });

  it('places partition keys in hash ranges exactly as kinesalite does', () => {
    const bounds = ['0', '85070591730234615865843651857942052863', '170141183460469231731687303715884105727', '340282366920938463463374607431768211455', String(2n ** 127n)];
    for (let i = 0; i < 2_000; i++) {
      const key = i % 3 === 0 ? String(int(100_000)) : `${i}-${random().toString(36)}`;
      for (const bound of bounds) expect(fast.partitionKeyToHashKey(key).comparedTo(bound), key).toBe(original.partitionKeyToHashKey(key).comparedTo(bound));
      expect(fast.partitionKeyToHashKey(key).comparedTo(0)).toBe(1);
    }
  });
});
