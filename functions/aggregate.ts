// Aggregate: clean records → event-time windows (TUMBLE, HOP, CUMULATE, Top-N, ROLLUP) in DynamoDB → results table and aggregates stream.
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../shared/adapters/clients.js';
import { DynamoDBAggregateStateStore } from '../shared/adapters/DynamoDBAggregateStateStore.js';
import { DynamoDBResultStore } from '../shared/adapters/DynamoDBResultStore.js';
import { KinesisPublishedKeys } from '../shared/adapters/KinesisPublishedKeys.js';
import { KinesisControlBroadcaster } from '../shared/adapters/KinesisControlBroadcaster.js';
import { AggregatingRecordSink } from '../shared/adapters/AggregatingRecordSink.js';
import { KinesisRecordSink } from '../shared/adapters/KinesisRecordSink.js';
import { KinesisResultPublisher } from '../shared/adapters/KinesisResultPublisher.js';
import { KinesisShardDirectory } from '../shared/adapters/KinesisShardDirectory.js';
import { S3ErrorSink } from '../shared/adapters/S3ErrorSink.js';
import { parseCleanInput } from '../shared/aggregate/control.js';
import { SHIPPED_QUERY_NAMES, compiledQueries } from '../shared/aggregate/queries.js';
import { loadAggregateConfig } from '../shared/config.js';
import { createAggregateOperator } from '../shared/operators/aggregate.js';
import { createAggregateStage } from '../shared/stage/aggregateStage.js';
import { createObservedHandler } from '../shared/stage/stageHandler.js';

const config = loadAggregateConfig(SHIPPED_QUERY_NAMES);
const kinesis = createKinesisClient();
const documents = createDynamoDBDocumentClient();
const errors = new S3ErrorSink(createS3Client(), config.errorBucket, config.errorPrefix);
// Puts are not retried by the SDK (a retried put may land twice); a retried firing checks the stream instead.
// Rows go KPL-aggregated: a firing round publishes ~1,500 small rows, in a few dozen Kinesis records.
const publisher = new KinesisResultPublisher(new AggregatingRecordSink(new KinesisRecordSink(createKinesisClient({ maxAttempts: 1 }), config.outputStream)), new KinesisPublishedKeys(kinesis), config.outputStream);

const operator = createAggregateOperator({
  queries: compiledQueries(config.queries),
  state: new DynamoDBAggregateStateStore(documents, config.stateTable, { stateTtlSeconds: config.stateTtlSeconds }),
  shards: new KinesisShardDirectory(kinesis, config.inputStream),
  ...(config.sourceStreams === undefined ? {} : { sources: [new KinesisShardDirectory(kinesis, config.sourceStreams[0]), new KinesisShardDirectory(kinesis, config.sourceStreams[1])] as const }),
  results: new DynamoDBResultStore(documents, config.resultsTable),
  publisher,
  late: errors,
  downstream: new KinesisControlBroadcaster(new KinesisRecordSink(kinesis, config.outputStream), new KinesisShardDirectory(kinesis, config.outputStream)),
  clock: Date.now,
  idleTimeoutMs: config.idleTimeoutSeconds * 1000,
  firingTimeoutMs: config.firingTimeoutSeconds * 1000,
  startupGraceMs: config.startupGraceSeconds * 1000,
});

/** The Lambda handler: a Kinesis batch of the clean stream in, `batchItemFailures` (always empty: failures throw) out. */
export const handler = createObservedHandler('aggregate', (report) => createAggregateStage({ parse: parseCleanInput, maxRecordBytes: config.maxRecordBytes, operator, errors, report }));
