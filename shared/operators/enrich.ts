import { PoisonRecordError } from '../errors.js';
import type { DimensionLookup } from '../ports/DimensionLookup.js';
import type { ErrorDocument } from '../ports/ErrorSink.js';
import { primaryKeyOf } from '../primaryKey.js';
import { errorDocument, type Decoded, type RecordOrigin } from '../stage/decode.js';
import type { StageOutput } from '../stage/createKinesisStage.js';
import type { EnrichedTransaction, Product, RawTransaction } from '../types.js';

/** Dependencies of the enrich operator. */
export interface EnrichDeps {
  /** The product dimension, keyed by `product_cd`. */
  readonly products: DimensionLookup<Product>;
  /** Stage name written into error documents. @default 'enrich' */
  readonly stage?: string;
}

/** What the operator made of a batch: every input is in exactly one of the two lists. */
export type EnrichResult = StageOutput<EnrichedTransaction>;

/**
 * Creates the enrich operator: joins decoded raw transactions with the product dimension
 * (one batched lookup per batch, through whatever cache `products` has) and shapes the 19
 * columns of `transaction_order` plus the primary key and source position. A transaction whose
 * product is unknown is rejected with reason `unknown_product`; order is kept.
 */
export function createEnrichOperator(deps: EnrichDeps): (batch: readonly Decoded<RawTransaction>[]) => Promise<EnrichResult> {
  const stage = deps.stage ?? 'enrich';
  return async (batch) => {
    const products = await deps.products.getMany(batch.map(({ value }) => value.product_cd));
    const outputs: { record: EnrichedTransaction; origin: RecordOrigin }[] = [];
    const rejected: ErrorDocument[] = [];
    for (const { value: row, origin } of batch) {
      const product = products.get(row.product_cd);
      if (!product) {
        const error = new PoisonRecordError('unknown_product', `product_cd ${row.product_cd} is not in the product dimension`, { shardId: origin.shard, sequenceNumber: origin.seq });
        rejected.push(errorDocument(stage, origin, error));
        continue;
      }
      outputs.push({ record: enrichOne(row, product, origin), origin });
    }
    return { outputs, rejected };
  };
}

function enrichOne(row: RawTransaction, product: Product, origin: RecordOrigin): EnrichedTransaction {
  const trDatetime = `${row.tr_datetime.slice(0, 10)}T${row.tr_datetime.slice(11)}`;
  return {
    tr_date: row.tr_date,
    tr_time: row.tr_time,
    store_cd: row.store_cd,
    store_name: row.store_name,
    pos_num: row.pos_num,
    receipt_num: row.receipt_num,
    product_cd: row.product_cd,
    qty: row.qty,
    mount: row.mount,
    division_cd: product.division_cd,
    division_name: product.division_name,
    maincategory_cd: product.maincategory_cd,
    maincategory_name: product.maincategory_name,
    subcategory_cd: product.subcategory_cd,
    subcategory_name: product.subcategory_name,
    product_name: product.product_name,
    is_pb: product.is_pb,
    tr_datetime: trDatetime,
    // Without a producer stamp, the arrival time stands in: it is the same on every delivery.
    event_time: row.event_time ?? new Date(origin.arrivalTimestamp).toISOString(),
    pk: row.pk ?? primaryKeyOf(row),
    src: origin.sub === undefined ? { stream: origin.stream, shard: origin.shard, seq: origin.seq } : { stream: origin.stream, shard: origin.shard, seq: origin.seq, sub: origin.sub },
  };
}
