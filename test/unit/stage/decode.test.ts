import { describe, expect, it } from 'vitest';
import { aggregateRecords } from '../../../shared/kpl.js';
import { validateRawTransaction } from '../../../shared/schema/rawTransaction.js';
import { decodeBatch } from '../../../shared/stage/decode.js';
import { kinesisRecordFactory, rawTransaction } from '../../helpers/kinesisEvents.js';

const aggregate = async (payloads: readonly string[]): Promise<Buffer> =>
  Buffer.from(aggregateRecords(payloads.map((payload, i) => ({ partitionKey: `pk-${i}`, data: payload })))[0]?.record.data ?? '');

describe('Stage: decode', () => {
  it('decodes base64 → UTF-8 → JSON → schema and keeps the position', () => {
    const records = kinesisRecordFactory([rawTransaction()], { shardId: 'shardId-000000000003' });
    const { decoded, rejected, count } = decodeBatch(records, 'enrich', validateRawTransaction, 65_536);
    expect(rejected).toEqual([]);
    expect(count).toBe(1);
    expect(decoded[0]?.value.store_name).toBe('등촌점');
    expect(decoded[0]?.origin).toMatchObject({ stream: 'eddy-test-raw', shard: 'shardId-000000000003', seq: records[0]?.kinesis.sequenceNumber });
  });

  it('rejects each kind of bad record with its reason, position and original bytes', () => {
    const invalidUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const records = kinesisRecordFactory([
      invalidUtf8,
      'tr_date,tr_time\n2015-01-01,1',
      rawTransaction({ qty: 'two', tr_date: '2015-02-30' }),
      rawTransaction({ tr_time: '21' }),
      JSON.stringify(rawTransaction({ store_name: 'x'.repeat(200) })),
      rawTransaction(),
    ]);
    const { decoded, rejected } = decodeBatch(records, 'enrich', validateRawTransaction, 300);
    expect(decoded).toHaveLength(1);
    expect(rejected.map((doc) => doc.errorCode)).toEqual(['not_utf8', 'not_json', 'schema_violation', 'schema_violation', 'oversize']);
    expect(rejected.map((doc) => doc.errorOutputType)).toEqual(['malformed', 'malformed', 'schema-violation', 'schema-violation', 'oversize']);
    expect(rejected[2]?.errorMessage).toContain('qty must be a number');
    expect(rejected[2]?.errorMessage).toContain('tr_date is not a calendar date');
    expect(rejected[3]?.errorMessage).toContain('hour disagrees');
    expect(Buffer.from(rejected[0]?.rawData ?? '', 'base64')).toEqual(invalidUtf8);
    expect(rejected[1]?.source.seq).toBe(records[1]?.kinesis.sequenceNumber);
  });

  it('de-aggregates KPL records into sub-records with their indexes and partition keys', async () => {
    const bytes = await aggregate([JSON.stringify(rawTransaction({ receipt_num: '1' })), 'not json', JSON.stringify(rawTransaction({ receipt_num: '3' }))]);
    const { decoded, rejected, count } = decodeBatch(kinesisRecordFactory([bytes]), 'enrich', validateRawTransaction, 65_536);
    expect(count).toBe(3);
    expect(decoded.map((d) => [d.value.receipt_num, d.origin.sub, d.origin.partitionKey])).toEqual([
      ['1', 0, 'pk-0'],
      ['3', 2, 'pk-2'],
    ]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ errorCode: 'not_json', source: { sub: 1 }, partitionKey: 'pk-1' });
  });

  it('rejects a corrupt KPL record whole', async () => {
    const bytes = await aggregate(['{}', '{}']);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
    const { rejected, count } = decodeBatch(kinesisRecordFactory([bytes]), 'enrich', validateRawTransaction, 65_536);
    expect(count).toBe(1);
    expect(rejected[0]?.errorCode).toBe('bad_aggregate');
  });
});
