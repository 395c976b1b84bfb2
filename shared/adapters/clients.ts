import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';

/**
 * SDK clients for every adapter and CLI. They take their endpoints from the standard
 * variables (`AWS_ENDPOINT_URL_KINESIS`, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`),
 * so the same code talks to AWS or to the local stack. Kinesis gets an HTTP/1.1 handler: the
 * v3 client's default HTTP/2 handler is not spoken by the emulators, and PutRecords and
 * GetRecords gain nothing from HTTP/2.
 */

/**
 * Drops the SDK's logger middleware from a client that has no logger. Without a logger it still
 * runs every output through the schema's sensitive-data filter (a deep copy of each response,
 * GetRecords' records included) only to hand it to a logger that discards it.
 */
export function withoutSilentLogger<C extends { middlewareStack: { remove(name: string): boolean }; config: { logger?: unknown } }>(client: C): C {
  const logger = client.config.logger as { constructor?: { name?: string } } | undefined;
  if (logger === undefined || logger.constructor?.name === 'NoOpLogger') client.middlewareStack.remove('loggerMiddleware');
  return client;
}

const keepAliveHandler = (): NodeHttpHandler =>
  new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new Agent({ keepAlive: true, maxSockets: 64 }),
  });

/** Options of {@link createKinesisClient}. */
export interface KinesisClientOptions {
  /**
   * Attempts the SDK makes of one call. A writer whose duplicates matter sets 1: the SDK
   * retries a whole PutRecords after a timeout or a 5xx, when its records may already have
   * landed, and would put them twice. Per-entry failures and throttling, which are certainly
   * not written, are still retried by `KinesisRecordSink`. @default the SDK's (3)
   */
  readonly maxAttempts?: number;
}

/**
 * A Kinesis client over HTTP/1.1 keep-alive.
 * @param options - SDK retry attempts
 */
export const createKinesisClient = (options: KinesisClientOptions = {}): KinesisClient =>
  withoutSilentLogger(new KinesisClient({ requestHandler: keepAliveHandler(), ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }) }));

/** A DynamoDB document client (plain JS values, `undefined` removed). */
export const createDynamoDBDocumentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(withoutSilentLogger(new DynamoDBClient({ requestHandler: keepAliveHandler() })), {
    marshallOptions: { removeUndefinedValues: true },
  });

/** An S3 client; path-style addressing when a custom endpoint is set (emulators have no DNS per bucket). */
export const createS3Client = (): S3Client =>
  withoutSilentLogger(new S3Client({ requestHandler: keepAliveHandler(), forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }));
