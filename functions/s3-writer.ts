// S3 writer: a stream's records → rolling files in Hive partitions, committed exactly once, with _SUCCESS markers.
import type { Context, KinesisStreamEvent, ScheduledEvent } from 'aws-lambda';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../shared/adapters/clients.js';
import { DynamoDBAggregateStateStore } from '../shared/adapters/DynamoDBAggregateStateStore.js';
import { DynamoDBWriterStateStore } from '../shared/adapters/DynamoDBWriterStateStore.js';
import { KinesisShardDirectory } from '../shared/adapters/KinesisShardDirectory.js';
import { S3ErrorSink } from '../shared/adapters/S3ErrorSink.js';
import { S3ObjectStore } from '../shared/adapters/S3ObjectStore.js';
import { createS3Writer, createWriterSweep, parseWriterInput, type WriterDeps } from '../shared/operators/s3Writer.js';
import { createObservedHandler } from '../shared/stage/stageHandler.js';
import { createWriterStage } from '../shared/stage/writerStage.js';
import { loadWriterConfig } from '../shared/writer/writerConfig.js';
import { watermarkTimeouts, writerSettings } from '../shared/writer/writerSettings.js';

const config = loadWriterConfig();
const kinesis = createKinesisClient();
const documents = createDynamoDBDocumentClient();
const s3 = createS3Client();
const errors = new S3ErrorSink(s3, config.errorBucket, config.errorPrefix);
const shards = new KinesisShardDirectory(kinesis, config.inputStream);
const sources = config.sourceStreams?.map((stream) => new KinesisShardDirectory(kinesis, stream));

const deps: WriterDeps = {
  ...writerSettings(config),
  files: new DynamoDBWriterStateStore(documents, config.stateTable, config.writerName),
  objects: new S3ObjectStore(s3, config.bucket),
  errors,
  watermark: {
    state: new DynamoDBAggregateStateStore(documents, config.stateTable, { pipelinePartitionKey: `pipeline#${config.writerName}` }),
    shards,
    ...(sources === undefined ? {} : { sources: [sources[0], sources[1]] as [KinesisShardDirectory, KinesisShardDirectory] }),
    ...watermarkTimeouts(config),
  },
  clock: Date.now,
};
const stream = createObservedHandler('s3-writer', (report) => createWriterStage({ stage: `s3-writer:${config.writerName}`, parse: parseWriterInput, maxRecordBytes: config.maxRecordBytes, operator: createS3Writer(deps), errors, report }));
const sweep = createWriterSweep(deps);

/**
 * The Lambda handler: a Kinesis batch (`batchItemFailures`, always empty: failures throw), or the
 * scheduled sweep that rolls and commits what time alone has made due.
 */
export const handler = (event: KinesisStreamEvent | ScheduledEvent, context: Context) => ('Records' in event ? stream(event, context) : sweep());
