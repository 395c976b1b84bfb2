import { describe, expect, it } from 'vitest';
import type { ControlRecord } from '../../../shared/aggregate/control.js';
import { createEnrichOperator } from '../../../shared/operators/enrich.js';
import { FINAL_EVENT_TIME } from '../../../shared/ports/AggregateStateStore.js';
import { validateEnrichedTransaction } from '../../../shared/schema/enrichedTransaction.js';
import { validateRawTransaction } from '../../../shared/schema/rawTransaction.js';
import { createKinesisStage, type StageReport } from '../../../shared/stage/createKinesisStage.js';
import { forwardedWatermarks, sourceWatermarks } from '../../../shared/stage/watermarks.js';
import type { EnrichedTransaction, Product, RawTransaction } from '../../../shared/types.js';
import { InMemoryErrorSink, InMemoryLookup, InMemoryRecordSink } from '../../helpers/fakes.js';
import { kinesisEvent, kinesisRecordFactory, rawTransaction } from '../../helpers/kinesisEvents.js';

const product = { product_cd: '8802609028247', division_name: '생활잡화' } as Product;

class Broadcasts {
  public readonly sent: ControlRecord[][] = [];
  public async broadcast(records: readonly ControlRecord[]): Promise<void> {
    this.sent.push([...records]);
  }
}

function enrichStage() {
  const sink = new InMemoryRecordSink();
  const broadcasts = new Broadcasts();
  const reports: StageReport[] = [];
  const stage = createKinesisStage({
    stage: 'enrich',
    parse: validateRawTransaction,
    maxRecordBytes: 65_536,
    operator: createEnrichOperator({ products: new InMemoryLookup(new Map([[product.product_cd, product]])) }),
    sink,
    errors: new InMemoryErrorSink(),
    partitionKeyOf: (record) => record.pk,
    report: (report) => reports.push(report),
    watermarks: { broadcaster: broadcasts, watermarksOf: sourceWatermarks((record: RawTransaction) => record.tr_datetime) },
  });
  return { stage, sink, broadcasts, reports };
}

describe('Stage: watermarks', () => {
  it('a source stage sends its batch’s highest event time after the outputs landed, from its input shard', async () => {
    const { stage, broadcasts } = enrichStage();
    const records = kinesisRecordFactory([rawTransaction({ receipt_num: '1', tr_datetime: '2015-01-02 20:45:22' }), rawTransaction({ receipt_num: '2', tr_time: '21', tr_datetime: '2015-01-02 21:00:00' })], { shardId: 'shardId-000000000003' });
    await stage(kinesisEvent(records));
    expect(broadcasts.sent).toEqual([[{ eddy_control: 'watermark', source: 'shardId-000000000003', max_event_time: Date.UTC(2015, 0, 2, 21) }]]);
  });

  it('sends none while an output failed: the records come again, and a watermark ahead of them would make them late', async () => {
    const { stage, sink, broadcasts } = enrichStage();
    sink.failIndexes = new Set([0]);
    const response = await stage(kinesisEvent(kinesisRecordFactory([rawTransaction({ receipt_num: '1' })])));
    expect(response.batchItemFailures).toHaveLength(1);
    expect(broadcasts.sent).toEqual([]);
  });

  it('turns the end of input on its input into a watermark at the end of time, outside the record counts', async () => {
    const { stage, broadcasts, reports } = enrichStage();
    await stage(kinesisEvent(kinesisRecordFactory([JSON.stringify({ eddy_control: 'final_watermark' })], { shardId: 'shardId-000000000001' })));
    expect(broadcasts.sent).toEqual([[{ eddy_control: 'watermark', source: 'shardId-000000000001', max_event_time: FINAL_EVENT_TIME }]]);
    expect(reports[0]).toMatchObject({ in: 0, out: 0, control: 1 });
  });

  it('a middle stage forwards the watermarks it read, naming the shard they came through', async () => {
    const broadcasts = new Broadcasts();
    const stage = createKinesisStage<EnrichedTransaction, EnrichedTransaction>({
      stage: 'dedupe',
      parse: validateEnrichedTransaction,
      maxRecordBytes: 1_048_576,
      operator: async () => ({ outputs: [], rejected: [] }),
      sink: new InMemoryRecordSink(),
      errors: new InMemoryErrorSink(),
      partitionKeyOf: (record) => record.pk,
      watermarks: { broadcaster: broadcasts, watermarksOf: forwardedWatermarks },
    });
    const mark = { eddy_control: 'watermark', source: 'shardId-raw-1', max_event_time: 1_420_000_000_000 };
    await stage(kinesisEvent(kinesisRecordFactory([JSON.stringify(mark)], { shardId: 'shardId-000000000002' })));
    expect(broadcasts.sent).toEqual([[{ ...mark, via: 'shardId-000000000002' }]]);
  });
});
