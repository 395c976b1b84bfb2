import { describe, expect, it } from 'vitest';
import { createEnrichOperator } from '../../../shared/operators/enrich.js';
import type { Decoded, RecordOrigin } from '../../../shared/stage/decode.js';
import type { Product, RawTransaction } from '../../../shared/types.js';
import { InMemoryLookup } from '../../helpers/fakes.js';
import { rawTransaction } from '../../helpers/kinesisEvents.js';

const lighter: Product = {
  product_cd: '8802609028247',
  division_cd: '42',
  division_name: '생활잡화',
  maincategory_cd: '62',
  maincategory_name: '전기연료',
  subcategory_cd: '187',
  subcategory_name: '라이타',
  product_name: 'IC)터보라이터',
  is_pb: 'N',
};

const origin = (seq: string): RecordOrigin => ({ stream: 'raw', shard: 'shardId-000000000001', seq, partitionKey: 'part-00001', arrivalTimestamp: 1_700_000_000_123, bytes: new Uint8Array() });
const decoded = (row: Record<string, unknown>, seq: string): Decoded<RawTransaction> => ({ value: row as unknown as RawTransaction, origin: origin(seq) });

describe('Operator: enrich', () => {
  it('joins each transaction with its product into the 19 columns plus pk and source', async () => {
    const enrich = createEnrichOperator({ products: new InMemoryLookup(new Map([[lighter.product_cd, lighter]])) });
    const { outputs, rejected } = await enrich([decoded(rawTransaction({ event_time: '2023-09-07T04:33:10.472585' }), '1')]);
    expect(rejected).toEqual([]);
    expect(outputs[0]?.record).toEqual({
      tr_date: '2015-01-02',
      tr_time: '20',
      store_cd: '12345',
      store_name: '등촌점',
      pos_num: '1',
      receipt_num: '8325',
      product_cd: '8802609028247',
      qty: 1,
      mount: 1000,
      division_cd: '42',
      division_name: '생활잡화',
      maincategory_cd: '62',
      maincategory_name: '전기연료',
      subcategory_cd: '187',
      subcategory_name: '라이타',
      product_name: 'IC)터보라이터',
      is_pb: 'N',
      tr_datetime: '2015-01-02T20:45:22',
      event_time: '2023-09-07T04:33:10.472585',
      pk: '12345|1|2015-01-02T20:45:22|8325|8802609028247',
      src: { stream: 'raw', shard: 'shardId-000000000001', seq: '1' },
    });
  });

  it('rejects an unknown product with its reason and position, keeping the rest in order', async () => {
    const enrich = createEnrichOperator({ products: new InMemoryLookup(new Map([[lighter.product_cd, lighter]])) });
    const { outputs, rejected } = await enrich([
      decoded(rawTransaction({ receipt_num: '1' }), '1'),
      decoded(rawTransaction({ product_cd: '0000' }), '2'),
      decoded(rawTransaction({ receipt_num: '3' }), '3'),
    ]);
    expect(outputs.map(({ record }) => record.receipt_num)).toEqual(['1', '3']);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ stage: 'enrich', errorCode: 'unknown_product', errorOutputType: 'unknown-product', source: { shard: 'shardId-000000000001', seq: '2' } });
    expect(rejected[0]?.errorMessage).toContain('0000');
  });

  it('asks the dimension once per batch', async () => {
    const lookup = new InMemoryLookup(new Map([[lighter.product_cd, lighter]]));
    const enrich = createEnrichOperator({ products: lookup });
    await enrich(Array.from({ length: 50 }, (_, i) => decoded(rawTransaction({ receipt_num: String(i) }), String(i))));
    expect(lookup.asked).toHaveLength(1);
  });

  it('keeps the producer’s pk and stamps event_time from arrival when the producer did not', async () => {
    const enrich = createEnrichOperator({ products: new InMemoryLookup(new Map([[lighter.product_cd, lighter]])) });
    const { outputs } = await enrich([decoded(rawTransaction({ pk: 'given-key' }), '1')]);
    expect(outputs[0]?.record.pk).toBe('given-key');
    expect(outputs[0]?.record.event_time).toBe(new Date(1_700_000_000_123).toISOString());
  });
});
