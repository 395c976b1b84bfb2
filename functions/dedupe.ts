// Dedupe: enriched records → each primary key once within the horizon → clean stream, exactly once.
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../shared/adapters/clients.js';
import { DynamoDBSeenKeyStore } from '../shared/adapters/DynamoDBSeenKeyStore.js';
import { KinesisPublishedKeys } from '../shared/adapters/KinesisPublishedKeys.js';
import { KinesisControlBroadcaster } from '../shared/adapters/KinesisControlBroadcaster.js';
import { KinesisRecordSink } from '../shared/adapters/KinesisRecordSink.js';
import { KinesisShardDirectory } from '../shared/adapters/KinesisShardDirectory.js';
import { S3ErrorSink } from '../shared/adapters/S3ErrorSink.js';
import { loadDedupeConfig } from '../shared/config.js';
import { createDedupeOperator } from '../shared/operators/dedupe.js';
import { validateEnrichedTransaction } from '../shared/schema/enrichedTransaction.js';
import { createStageHandler } from '../shared/stage/stageHandler.js';
import { forwardedWatermarks } from '../shared/stage/watermarks.js';
import type { EnrichedTransaction } from '../shared/types.js';

const config = loadDedupeConfig();
const seen = new DynamoDBSeenKeyStore(createDynamoDBDocumentClient(), config.seenTable);
// Reads of the clean stream (on redelivery only) may be retried by the SDK; its puts may not (see createKinesisClient).
const kinesis = createKinesisClient();
const published = new KinesisPublishedKeys(kinesis);

/** The Lambda handler: a Kinesis batch in, `batchItemFailures` out. */
export const handler = createStageHandler({
  stage: 'dedupe',
  parse: validateEnrichedTransaction,
  maxRecordBytes: config.maxRecordBytes,
  operator: createDedupeOperator<EnrichedTransaction>({ seen, published, outputStream: config.outputStream, horizonSeconds: config.horizonSeconds, clock: Date.now }),
  sink: new KinesisRecordSink(createKinesisClient({ maxAttempts: 1 }), config.outputStream),
  errors: new S3ErrorSink(createS3Client(), config.errorBucket, config.errorPrefix),
  partitionKeyOf: (record) => record.pk,
  // Watermarks from enrich go on to every clean shard, naming the enriched shard they came through.
  watermarks: { broadcaster: new KinesisControlBroadcaster(new KinesisRecordSink(kinesis, config.outputStream), new KinesisShardDirectory(kinesis, config.outputStream)), watermarksOf: forwardedWatermarks },
});
