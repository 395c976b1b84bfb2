import { describe, expect, it } from 'vitest';
import { createDedupeOperator } from '../../../shared/operators/dedupe.js';
import type { Decoded, RecordOrigin } from '../../../shared/stage/decode.js';
import { InMemorySeenKeyStore } from '../../helpers/fakes.js';

type Row = { pk: string; n: number };
const arrival = 1_700_000_000_000;
const origin = (seq: string, shard = 'shardId-000000000000'): RecordOrigin => ({ stream: 'enriched', shard, seq, partitionKey: 'k', arrivalTimestamp: arrival, bytes: new Uint8Array() });
const record = (pk: string, seq: string, shard?: string): Decoded<Row> => ({ value: { pk, n: Number(seq) }, origin: origin(seq, shard) });

function setup(now = arrival) {
  const seen = new InMemorySeenKeyStore();
  let clock = now;
  const dedupe = createDedupeOperator<Row>({ seen, horizonSeconds: 3600, clock: () => clock });
  return { seen, dedupe, advance: (ms: number) => (clock += ms) };
}

describe('Operator: dedupe', () => {
  it('forwards the first record of each key in a batch, in stream order, and counts the rest as duplicates', async () => {
    const { dedupe, seen } = setup();
    const out = await dedupe([record('a', '1'), record('b', '2'), record('a', '3'), record('c', '4'), record('b', '5')]);
    expect(out.outputs.map(({ record: r }) => r.n)).toEqual([1, 2, 4]);
    expect(out.duplicates).toBe(2);
    expect(seen.calls).toBe(1);
  });

  it('drops a key already forwarded by another record, on any shard, in a later batch', async () => {
    const { dedupe } = setup();
    await dedupe([record('a', '1', 'shardId-000000000000')]);
    const out = await dedupe([record('a', '9', 'shardId-000000000003'), record('z', '10', 'shardId-000000000003')]);
    expect(out.outputs.map(({ record: r }) => r.pk)).toEqual(['z']);
    expect(out.duplicates).toBe(1);
  });

  it('forwards again a record delivered again (its own claim), since its first forward may not have landed', async () => {
    const { dedupe } = setup();
    const batch = [record('a', '1'), record('b', '2')];
    await dedupe(batch);
    const again = await dedupe(batch);
    expect(again.outputs.map(({ record: r }) => r.pk)).toEqual(['a', 'b']);
    expect(again.duplicates).toBe(0);
  });

  it('claims each key for the horizon from when it was claimed, then sees it as new', async () => {
    const { dedupe, seen, advance } = setup();
    await dedupe([record('a', '1')]);
    expect(seen.items.get('a')?.expiresAt).toBe(arrival / 1000 + 3600);
    advance(3601 * 1000);
    const later = await dedupe([record('a', '2')]);
    expect(later.outputs).toHaveLength(1);
  });
});
