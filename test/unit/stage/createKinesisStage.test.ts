import { describe, expect, it } from 'vitest';
import { createEnrichOperator } from '../../../shared/operators/enrich.js';
import { validateRawTransaction } from '../../../shared/schema/rawTransaction.js';
import { createKinesisStage, type StageReport } from '../../../shared/stage/createKinesisStage.js';
import type { Product } from '../../../shared/types.js';
import { InMemoryErrorSink, InMemoryLookup, InMemoryRecordSink } from '../../helpers/fakes.js';
import { kinesisEvent, kinesisRecordFactory, rawTransaction } from '../../helpers/kinesisEvents.js';

const product = { product_cd: '8802609028247', division_name: '생활잡화' } as Product;

function setup() {
  const sink = new InMemoryRecordSink();
  const errors = new InMemoryErrorSink();
  const reports: StageReport[] = [];
  const stage = createKinesisStage({
    stage: 'enrich',
    parse: validateRawTransaction,
    maxRecordBytes: 65_536,
    operator: createEnrichOperator({ products: new InMemoryLookup(new Map([[product.product_cd, product]])) }),
    sink,
    errors,
    partitionKeyOf: (record) => record.pk,
    report: (report) => reports.push(report),
  });
  return { stage, sink, errors, reports };
}

describe('Stage: Kinesis stage wiring', () => {
  it('accounts for every record: in = out + rejected', async () => {
    const { stage, sink, errors, reports } = setup();
    const records = kinesisRecordFactory([rawTransaction({ receipt_num: '1' }), 'garbage', rawTransaction({ product_cd: '999' }), rawTransaction({ receipt_num: '4' })]);
    const response = await stage(kinesisEvent(records));
    expect(response.batchItemFailures).toEqual([]);
    expect(sink.records).toHaveLength(2);
    expect(errors.documents.size).toBe(2);
    expect(reports).toEqual([{ stage: 'enrich', in: 4, out: 2, rejected: { not_json: 1, unknown_product: 1 }, duplicates: 0, failed: 0 }]);
    expect(JSON.parse(String(sink.records[0]?.data)).pk).toBe(sink.records[0]?.partitionKey);
  });

  it('reports what the operator found already published, so that in = out + rejected + duplicates + already published', async () => {
    const sink = new InMemoryRecordSink();
    const reports: StageReport[] = [];
    const stage = createKinesisStage({
      stage: 'dedupe',
      parse: validateRawTransaction,
      maxRecordBytes: 65_536,
      operator: async (batch) => ({ outputs: batch.slice(0, 1).map(({ value, origin }) => ({ record: value, origin })), rejected: [], duplicates: 1, alreadyPublished: batch.length - 2 }),
      sink,
      errors: new InMemoryErrorSink(),
      partitionKeyOf: (record) => record.receipt_num,
      report: (report) => reports.push(report),
    });
    await stage(kinesisEvent(kinesisRecordFactory([1, 2, 3, 4].map((n) => rawTransaction({ receipt_num: String(n) })))));
    expect(reports).toEqual([{ stage: 'dedupe', in: 4, out: 1, rejected: {}, duplicates: 1, alreadyPublished: 2, failed: 0 }]);
  });

  it('reports the source sequence numbers of outputs that still failed', async () => {
    const { stage, sink } = setup();
    const records = kinesisRecordFactory([rawTransaction({ receipt_num: '1' }), rawTransaction({ receipt_num: '2' }), rawTransaction({ receipt_num: '3' })]);
    sink.failIndexes = new Set([1, 2]);
    const response = await stage(kinesisEvent(records));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.kinesis.sequenceNumber }, { itemIdentifier: records[2]?.kinesis.sequenceNumber }]);
  });

  it('sends an output Kinesis would refuse (over 1 MiB, or a key over 256 characters) to the error output, and goes on', async () => {
    const { stage, sink, errors, reports } = setup();
    const huge = 'x'.repeat(1_100_000);
    const records = kinesisRecordFactory([rawTransaction({ receipt_num: '1' }), rawTransaction({ receipt_num: '2' }), rawTransaction({ receipt_num: '3' })]);
    const big = createKinesisStage({
      stage: 'enrich',
      parse: validateRawTransaction,
      maxRecordBytes: 65_536,
      operator: async (batch) => ({
        outputs: batch.map(({ value, origin }) => ({ record: { ...value, pk: value.receipt_num === '2' ? 'k'.repeat(300) : value.receipt_num, pad: value.receipt_num === '3' ? huge : '' }, origin })),
        rejected: [],
      }),
      sink,
      errors,
      partitionKeyOf: (record) => record.pk,
      report: (report) => reports.push(report),
    });
    const response = await big(kinesisEvent(records));
    expect(response.batchItemFailures).toEqual([]);
    expect(sink.records.map((record) => record.partitionKey)).toEqual(['1']);
    expect([...errors.documents.values()].map((doc) => [doc.errorCode, doc.source.seq])).toEqual([
      ['partition_key', records[1]?.kinesis.sequenceNumber],
      ['oversize', records[2]?.kinesis.sequenceNumber],
    ]);
    expect(reports[0]).toMatchObject({ in: 3, out: 1, rejected: { partition_key: 1, oversize: 1 } });
    void stage;
  });

  it('fails the whole batch when the error output cannot be written', async () => {
    const { stage, errors } = setup();
    errors.write = async () => {
      throw new Error('S3 is down');
    };
    await expect(stage(kinesisEvent(kinesisRecordFactory(['garbage'])))).rejects.toThrow('S3 is down');
  });
});
