// Dedupe: enriched records → each primary key once within the horizon → clean stream.
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../shared/adapters/clients.js';
import { DynamoDBSeenKeyStore } from '../shared/adapters/DynamoDBSeenKeyStore.js';
import { KinesisRecordSink } from '../shared/adapters/KinesisRecordSink.js';
import { S3ErrorSink } from '../shared/adapters/S3ErrorSink.js';
import { loadDedupeConfig } from '../shared/config.js';
import { createDedupeOperator } from '../shared/operators/dedupe.js';
import { validateEnrichedTransaction } from '../shared/schema/enrichedTransaction.js';
import { createStageHandler } from '../shared/stage/stageHandler.js';
import type { EnrichedTransaction } from '../shared/types.js';

const config = loadDedupeConfig();
const seen = new DynamoDBSeenKeyStore(createDynamoDBDocumentClient(), config.seenTable);

/** The Lambda handler: a Kinesis batch in, `batchItemFailures` out. */
export const handler = createStageHandler({
  stage: 'dedupe',
  parse: validateEnrichedTransaction,
  maxRecordBytes: config.maxRecordBytes,
  operator: createDedupeOperator<EnrichedTransaction>({ seen, horizonSeconds: config.horizonSeconds, clock: Date.now }),
  sink: new KinesisRecordSink(createKinesisClient(), config.outputStream),
  errors: new S3ErrorSink(createS3Client(), config.errorBucket, config.errorPrefix),
  partitionKeyOf: (record) => record.pk,
});
