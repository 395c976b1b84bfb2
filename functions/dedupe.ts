// Dedupe: enriched records → each primary key once within the horizon → clean stream.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { KinesisStreamEvent } from 'aws-lambda';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../shared/adapters/clients.js';
import { DynamoDBSeenKeyStore } from '../shared/adapters/DynamoDBSeenKeyStore.js';
import { KinesisRecordSink } from '../shared/adapters/KinesisRecordSink.js';
import { S3ErrorSink } from '../shared/adapters/S3ErrorSink.js';
import { loadDedupeConfig } from '../shared/config.js';
import { createDedupeOperator } from '../shared/operators/dedupe.js';
import { validateEnrichedTransaction } from '../shared/schema/enrichedTransaction.js';
import { createKinesisStage } from '../shared/stage/createKinesisStage.js';
import { publishStageReport } from '../shared/stageMetrics.js';
import type { EnrichedTransaction } from '../shared/types.js';

const config = loadDedupeConfig();
const logger = new Logger();
const metrics = new Metrics({ namespace: 'eddy', serviceName: 'dedupe' });

const stage = createKinesisStage({
  stage: 'dedupe',
  parse: validateEnrichedTransaction,
  maxRecordBytes: config.maxRecordBytes,
  operator: createDedupeOperator<EnrichedTransaction>({ seen: new DynamoDBSeenKeyStore(createDynamoDBDocumentClient(), config.seenTable), horizonSeconds: config.horizonSeconds, clock: Date.now }),
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
