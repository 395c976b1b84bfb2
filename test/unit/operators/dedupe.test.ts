import { describe, expect, it } from 'vitest';
import { createDedupeOperator } from '../../../shared/operators/dedupe.js';
import type { Decoded, RecordOrigin } from '../../../shared/stage/decode.js';
import { InMemoryPublishedKeys, InMemorySeenKeyStore } from '../../helpers/fakes.js';

type Row = { pk: string; n: number };
const arrival = 1_700_000_000_000;
const clean = 'clean';
const origin = (seq: string, shard = 'shardId-000000000000'): RecordOrigin => ({ stream: 'enriched', shard, seq, partitionKey: 'k', arrivalTimestamp: arrival, bytes: new Uint8Array() });
const record = (pk: string, seq: string, shard?: string): Decoded<Row> => ({ value: { pk, n: Number(seq) }, origin: origin(seq, shard) });

function setup(now = arrival) {
  const seen = new InMemorySeenKeyStore();
  const published = new InMemoryPublishedKeys();
  let clock = now;
  const dedupe = createDedupeOperator<Row>({ seen, published, outputStream: clean, horizonSeconds: 3600, clock: () => clock });
  return { seen, published, dedupe, now: () => clock, advance: (ms: number) => (clock += ms) };
}

describe('Operator: dedupe', () => {
  it('forwards the first record of each key in a batch, in stream order, and counts the rest as duplicates', async () => {
    const { dedupe, seen, published } = setup();
    const out = await dedupe([record('a', '1'), record('b', '2'), record('a', '3'), record('c', '4'), record('b', '5')]);
    expect(out.outputs.map(({ record: r }) => r.n)).toEqual([1, 2, 4]);
    expect(out.duplicates).toBe(2);
    expect(out.alreadyPublished).toBe(0);
    expect(seen.calls).toBe(1);
    expect(published.queries).toEqual([]);
  });

  it('drops a key already forwarded by another record, on any shard, in a later batch, without reading the output stream', async () => {
    const { dedupe, published } = setup();
    await dedupe([record('a', '1', 'shardId-000000000000')]);
    const out = await dedupe([record('a', '9', 'shardId-000000000003'), record('z', '10', 'shardId-000000000003')]);
    expect(out.outputs.map(({ record: r }) => r.pk)).toEqual(['z']);
    expect(out.duplicates).toBe(1);
    expect(published.queries).toEqual([]);
  });

  it('does not forward again a redelivered record whose earlier forward is on the output stream, and counts it as already published', async () => {
    const { dedupe, published, advance, now } = setup();
    const batch = [record('a', '1'), record('b', '2'), record('c', '3')];
    const first = await dedupe(batch);
    // The first attempt's put landed for a and c (b's entry failed), then the invocation failed.
    advance(40);
    published.publish(clean, now(), ...first.outputs.filter(({ record: r }) => r.pk !== 'b').map(({ record: r }) => r));
    advance(5_000);
    const again = await dedupe(batch);
    expect(again.outputs.map(({ record: r }) => r.pk)).toEqual(['b']);
    expect(again.alreadyPublished).toBe(2);
    expect(again.duplicates).toBe(0);
    expect(published.queries).toHaveLength(1);
    expect(published.queries[0]).toMatchObject({ stream: clean, since: arrival, wanted: new Set(['a', 'b', 'c']) });
  });

  it('forwards a redelivered record whose earlier forward never landed', async () => {
    const { dedupe, published } = setup();
    const batch = [record('a', '1'), record('b', '2')];
    await dedupe(batch);
    const again = await dedupe(batch);
    expect(again.outputs.map(({ record: r }) => r.pk)).toEqual(['a', 'b']);
    expect(again.alreadyPublished).toBe(0);
    expect(published.queries).toHaveLength(1);
  });

  it('reads the output stream once per batch, from the earliest claim of the redelivered records', async () => {
    const { dedupe, published, advance } = setup();
    await dedupe([record('a', '1')]);
    advance(60_000);
    await dedupe([record('b', '2')]);
    advance(60_000);
    const out = await dedupe([record('a', '1'), record('b', '2'), record('n', '3')]);
    expect(out.outputs.map(({ record: r }) => r.pk)).toEqual(['a', 'b', 'n']);
    expect(published.queries.map((query) => [query.since, [...query.wanted]])).toEqual([[arrival, ['a', 'b']]]);
  });

  it('ignores a copy of the key that arrived before the claim (another horizon), and records on other streams', async () => {
    const { dedupe, published, advance, now } = setup();
    published.publish(clean, arrival - 1, { pk: 'a', n: 0 });
    published.publish('elsewhere', arrival + 1, { pk: 'a', n: 1 });
    published.publish(clean, arrival + 1, 'not a record', { pk: 7 });
    await dedupe([record('a', '1')]);
    advance(1_000);
    expect(now()).toBeGreaterThan(arrival);
    const again = await dedupe([record('a', '1')]);
    expect(again.outputs).toHaveLength(1);
  });

  it('falls back on expiry minus the horizon for a claim stored without its time', async () => {
    const { dedupe, seen, published, advance } = setup();
    await dedupe([record('a', '1')]);
    const item = seen.items.get('a');
    if (!item) throw new Error('no claim');
    delete item.claimedAt;
    published.publish(clean, arrival + 10, { pk: 'a', n: 1 });
    advance(2_000);
    const again = await dedupe([record('a', '1')]);
    expect(again.outputs).toEqual([]);
    expect(again.alreadyPublished).toBe(1);
    expect(published.queries[0]?.since).toBe(arrival);
  });

  it('claims each key for the horizon from when it was claimed, then sees it as new', async () => {
    const { dedupe, seen, advance } = setup();
    await dedupe([record('a', '1')]);
    expect(seen.items.get('a')).toMatchObject({ claimedAt: arrival, expiresAt: arrival / 1000 + 3600 });
    advance(3601 * 1000);
    const later = await dedupe([record('a', '2')]);
    expect(later.outputs).toHaveLength(1);
  });
});
