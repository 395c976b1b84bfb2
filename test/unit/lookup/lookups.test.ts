import { describe, expect, it } from 'vitest';
import { CachedDimensionLookup } from '../../../shared/lookup/CachedDimensionLookup.js';
import { FullCacheDimensionLookup } from '../../../shared/lookup/FullCacheDimensionLookup.js';
import { TtlCache } from '../../../shared/lookup/TtlCache.js';
import type { DimensionSnapshot } from '../../../shared/ports/DimensionLookup.js';
import { InMemoryLookup } from '../../helpers/fakes.js';

const rows = new Map([
  ['a', { name: 'A' }],
  ['b', { name: 'B' }],
]);

describe('Lookup: TtlCache', () => {
  it('expires entries after their ttl and evicts the least recently used past the bound', () => {
    let now = 0;
    const cache = new TtlCache<number>(100, 2, () => now);
    cache.set('x', 1);
    cache.set('y', 2);
    expect(cache.get('x')).toBe(1);
    cache.set('z', 3);
    expect(cache.get('y')).toBeUndefined();
    now = 150;
    expect(cache.get('x')).toBeUndefined();
  });
});

describe('Lookup: CachedDimensionLookup', () => {
  it('asks the store only for keys it has not seen, found or missing', async () => {
    const store = new InMemoryLookup(rows);
    const lookup = new CachedDimensionLookup(store);
    expect([...(await lookup.getMany(['a', 'a', 'zz']))]).toEqual([['a', { name: 'A' }]]);
    expect([...(await lookup.getMany(['a', 'b', 'zz']))].map(([key]) => key)).toEqual(['a', 'b']);
    expect(store.asked).toEqual([['a', 'zz'], ['b']]);
  });

  it('asks again once an entry has expired', async () => {
    let now = 0;
    const store = new InMemoryLookup(rows);
    const lookup = new CachedDimensionLookup(store, { ttlMs: 10, negativeTtlMs: 5, clock: () => now });
    await lookup.getMany(['a', 'zz']);
    now = 7;
    await lookup.getMany(['a', 'zz']);
    now = 20;
    await lookup.getMany(['a']);
    expect(store.asked).toEqual([['a', 'zz'], ['zz'], ['a']]);
  });
});

describe('Lookup: FullCacheDimensionLookup', () => {
  it('reads the whole dimension once, answers from memory, and reloads after the interval', async () => {
    let now = 0;
    let scans = 0;
    const snapshot: DimensionSnapshot<{ name: string }> = { scanAll: async () => (scans++, new Map(rows)) };
    const fallback = new InMemoryLookup(new Map([['late', { name: 'added later' }]]));
    const lookup = new FullCacheDimensionLookup(snapshot, fallback, { reloadIntervalMs: 1000, clock: () => now });
    await Promise.all([lookup.getMany(['a']), lookup.getMany(['b'])]);
    expect(scans).toBe(1);
    expect([...(await lookup.getMany(['a', 'late', 'none']))].map(([key]) => key)).toEqual(['a', 'late']);
    expect(fallback.asked).toEqual([['late', 'none']]);
    now = 1000;
    await lookup.getMany(['a']);
    expect(scans).toBe(2);
  });
});
