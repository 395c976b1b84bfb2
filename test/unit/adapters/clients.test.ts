import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client, withoutSilentLogger } from '../../../shared/adapters/clients.js';

const stackOf = (client: { middlewareStack: { identify(): string[] } }): string[] => client.middlewareStack.identify();

describe('SDK clients', () => {
  it('run without the logger middleware when they have no logger (it filtered every response for nothing)', () => {
    for (const client of [createKinesisClient(), createS3Client(), createDynamoDBDocumentClient()]) {
      expect(stackOf(client).some((name) => name.startsWith('loggerMiddleware'))).toBe(false);
      // The rest of the stack is intact: requests are still serialized, signed, retried and parsed.
      expect(stackOf(client)).toEqual(expect.arrayContaining([expect.stringMatching(/^retryMiddleware/), expect.stringMatching(/^httpSigningMiddleware/), expect.stringMatching(/^deserializerMiddleware/)]));
    }
  });

  it('keep it when a logger is given', () => {
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    expect(stackOf(withoutSilentLogger(new DynamoDBClient({ region: 'us-east-1', logger }))).some((name) => name.startsWith('loggerMiddleware'))).toBe(true);
    expect(stackOf(withoutSilentLogger(new DynamoDBClient({ region: 'us-east-1' }))).some((name) => name.startsWith('loggerMiddleware'))).toBe(false);
  });
});
