// Enrich operator throughput on one core with in-memory ports, against a bare decode loop.
// Run: npx tsx bench/enrich.ts [--records N]
import { generateTransactions } from '../shared/generator/transactions.js';
import { loadProducts } from '../shared/generator/products.js';
import { CachedDimensionLookup } from '../shared/lookup/CachedDimensionLookup.js';
import { createEnrichOperator } from '../shared/operators/enrich.js';
import { validateRawTransaction } from '../shared/schema/rawTransaction.js';
import { createKinesisStage } from '../shared/stage/createKinesisStage.js';
import type { Product } from '../shared/types.js';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { RecordSink } from '../shared/ports/RecordSink.js';
import { InMemoryErrorSink, InMemoryLookup } from '../test/helpers/fakes.js';
import { kinesisEvent, kinesisRecordFactory } from '../test/helpers/kinesisEvents.js';
import { numberOption } from './lib/options.js';

const total = numberOption('records', 200_000);
const batchSize = 500;
const products = loadProducts();
const rows = [...generateTransactions({ rows: total })].map((row, i) => ({ ...row, event_time: '2026-11-21T00:00:00.000000', pk: `pk-${i}` }));
const events: KinesisStreamEvent[] = [];
for (let i = 0; i < rows.length; i += batchSize) events.push(kinesisEvent(kinesisRecordFactory(rows.slice(i, i + batchSize))));

/** The least any stage does per record: base64 → JSON → JSON. */
async function bareLoop(): Promise<void> {
  for (const event of events) {
    const out: string[] = [];
    for (const record of event.Records) out.push(JSON.stringify(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))));
  }
}

const lookup = new CachedDimensionLookup(new InMemoryLookup<Product>(new Map(products.map((p) => [p.product_cd, p]))));
/** Counts what it is given and keeps nothing, as a Lambda container holds one batch at a time. */
const sink: RecordSink & { records: number; bytes: number } = {
  records: 0,
  bytes: 0,
  async put(records) {
    this.records += records.length;
    for (const record of records) this.bytes += record.data.length;
    return { failed: [], calls: Math.ceil(records.length / 500) };
  },
};
const stage = createKinesisStage({
  stage: 'enrich',
  parse: validateRawTransaction,
  maxRecordBytes: 65_536,
  operator: createEnrichOperator({ products: lookup }),
  sink,
  errors: new InMemoryErrorSink(),
  partitionKeyOf: (record) => record.pk,
});
async function enrichStage(): Promise<void> {
  for (const event of events) await stage(event);
}

async function time(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

// Best of 3 for each, alternating, so a GC pause or the other core's work does not decide it.
let bare = Infinity;
let enrich = Infinity;
await bareLoop();
await enrichStage();
for (let round = 0; round < 3; round++) {
  bare = Math.min(bare, await time(bareLoop));
  enrich = Math.min(enrich, await time(enrichStage));
}
console.log(`records:            ${total.toLocaleString('en-US')} in batches of ${batchSize}, best of 3`);
console.log(`bare decode loop:   ${Math.round(total / bare).toLocaleString('en-US')} records/s`);
console.log(`enrich stage:       ${Math.round(total / enrich).toLocaleString('en-US')} records/s (decode + schema + lookup + shape + serialize)`);
console.log(`ratio enrich/bare:  ${(bare / enrich).toFixed(2)}   goal: ≥ 100,000 records/s`);
