// Enrich: raw transactions → validated, joined with the product dimension → enriched stream.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { KinesisStreamEvent } from 'aws-lambda';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../shared/adapters/clients.js';
import { DynamoDBDimensionLookup } from '../shared/adapters/DynamoDBDimensionLookup.js';
import { KinesisRecordSink } from '../shared/adapters/KinesisRecordSink.js';
import { S3ErrorSink } from '../shared/adapters/S3ErrorSink.js';
import { loadEnrichConfig } from '../shared/config.js';
import { CachedDimensionLookup } from '../shared/lookup/CachedDimensionLookup.js';
import { FullCacheDimensionLookup } from '../shared/lookup/FullCacheDimensionLookup.js';
import { createEnrichOperator } from '../shared/operators/enrich.js';
import { validateRawTransaction } from '../shared/schema/rawTransaction.js';
import { createKinesisStage } from '../shared/stage/createKinesisStage.js';
import { publishStageReport } from '../shared/stageMetrics.js';
import { PRODUCT_COLUMNS, type Product } from '../shared/types.js';

const config = loadEnrichConfig();
const logger = new Logger();
const metrics = new Metrics({ namespace: 'eddy', serviceName: 'enrich' });
const table = new DynamoDBDimensionLookup<Product>(createDynamoDBDocumentClient(), config.productsTable, 'product_cd', { attributes: ['product_cd', ...PRODUCT_COLUMNS] });
const pointLookups = new CachedDimensionLookup(table, { ttlMs: config.productCacheTtlSeconds * 1000 });
const products = config.productCacheMode === 'full' ? new FullCacheDimensionLookup(table, pointLookups, { reloadIntervalMs: config.productCacheTtlSeconds * 1000 }) : pointLookups;

const stage = createKinesisStage({
  stage: 'enrich',
  parse: validateRawTransaction,
  maxRecordBytes: config.maxRecordBytes,
  operator: createEnrichOperator({ products }),
  sink: new KinesisRecordSink(createKinesisClient(), config.outputStream),
  errors: new S3ErrorSink(createS3Client(), config.errorBucket, config.errorPrefix),
  partitionKeyOf: (record) => record.pk,
  report: (report) => {
    publishStageReport(metrics, report);
    logger.info('batch done', { ...report });
  },
});

/** The Lambda handler: a Kinesis batch in, `batchItemFailures` out. */
export const handler = middy((event: KinesisStreamEvent) => stage(event))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
