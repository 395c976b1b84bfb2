import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import { createPartitionKeyFn, parsePartitionKeySpec } from '../../../shared/producer/partitionKeys.js';

describe('Producer: partition keys', () => {
  it('draws random keys part-00001…part-01024, the same sequence for the same seed', () => {
    const keys = Array.from({ length: 20_000 }, createPartitionKeyFn(parsePartitionKeySpec('random', 7)).bind(null, undefined));
    expect(keys.every((key) => /^part-\d{5}$/.test(key))).toBe(true);
    const numbers = keys.map((key) => Number(key.slice(5)));
    expect(Math.min(...numbers)).toBe(1);
    expect(Math.max(...numbers)).toBe(1024);
    expect(new Set(keys).size).toBe(1024);
    const again = createPartitionKeyFn(parsePartitionKeySpec('random', 7));
    expect(keys.slice(0, 50)).toEqual(Array.from({ length: 50 }, () => again(undefined)));
    const other = createPartitionKeyFn(parsePartitionKeySpec('random', 8));
    expect(keys.slice(0, 50)).not.toEqual(Array.from({ length: 50 }, () => other(undefined)));
  });

  it('keys by a field, falling back to a random key when the row lacks it or did not parse', () => {
    const byStore = createPartitionKeyFn(parsePartitionKeySpec('field:store_cd'));
    expect(byStore({ store_cd: '12345' })).toBe('12345');
    expect(byStore({ store_cd: 12346 })).toBe('12346');
    expect(byStore({ other: 1 })).toMatch(/^part-\d{5}$/);
    expect(byStore(undefined)).toMatch(/^part-\d{5}$/);
  });

  it('uses one explicit key for every record, colons included', () => {
    const fixed = createPartitionKeyFn(parsePartitionKeySpec('explicit:a:b'));
    expect([fixed({ store_cd: '1' }), fixed(undefined)]).toEqual(['a:b', 'a:b']);
  });

  it('refuses anything else with an error naming the flag', () => {
    for (const bad of ['', 'rand', 'field:', 'explicit:', `explicit:${'k'.repeat(257)}`]) {
      expect(() => parsePartitionKeySpec(bad)).toThrow(ConfigError);
    }
    expect(() => parsePartitionKeySpec('hash')).toThrow(/--partition-key/);
  });
});
