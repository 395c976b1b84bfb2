// Enrich: raw transactions → validated, joined with the product dimension → enriched stream.
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../shared/adapters/clients.js';
import { DynamoDBDimensionLookup } from '../shared/adapters/DynamoDBDimensionLookup.js';
import { KinesisControlBroadcaster } from '../shared/adapters/KinesisControlBroadcaster.js';
import { KinesisRecordSink } from '../shared/adapters/KinesisRecordSink.js';
import { KinesisShardDirectory } from '../shared/adapters/KinesisShardDirectory.js';
import { S3ErrorSink } from '../shared/adapters/S3ErrorSink.js';
import { loadEnrichConfig } from '../shared/config.js';
import { CachedDimensionLookup } from '../shared/lookup/CachedDimensionLookup.js';
import { FullCacheDimensionLookup } from '../shared/lookup/FullCacheDimensionLookup.js';
import { createEnrichOperator } from '../shared/operators/enrich.js';
import { validateRawTransaction } from '../shared/schema/rawTransaction.js';
import { createStageHandler } from '../shared/stage/stageHandler.js';
import { sourceWatermarks } from '../shared/stage/watermarks.js';
import { PRODUCT_COLUMNS, type Product, type RawTransaction } from '../shared/types.js';

const config = loadEnrichConfig();
const kinesis = createKinesisClient();
const sink = new KinesisRecordSink(kinesis, config.outputStream);
const table = new DynamoDBDimensionLookup<Product>(createDynamoDBDocumentClient(), config.productsTable, 'product_cd', { attributes: ['product_cd', ...PRODUCT_COLUMNS] });
const pointLookups = new CachedDimensionLookup(table, { ttlMs: config.productCacheTtlSeconds * 1000 });
const products = config.productCacheMode === 'full' ? new FullCacheDimensionLookup(table, pointLookups, { reloadIntervalMs: config.productCacheTtlSeconds * 1000 }) : pointLookups;

/** The Lambda handler: a Kinesis batch in, `batchItemFailures` out. */
export const handler = createStageHandler({
  stage: 'enrich',
  parse: validateRawTransaction,
  maxRecordBytes: config.maxRecordBytes,
  operator: createEnrichOperator({ products }),
  sink,
  errors: new S3ErrorSink(createS3Client(), config.errorBucket, config.errorPrefix),
  partitionKeyOf: (record) => record.pk,
  // The source of watermarks: each batch's highest event time, per raw shard, on every enriched shard.
  watermarks: { broadcaster: new KinesisControlBroadcaster(sink, new KinesisShardDirectory(kinesis, config.outputStream)), watermarksOf: sourceWatermarks((record: RawTransaction) => record.tr_datetime) },
});
