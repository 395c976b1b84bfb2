import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDBDimensionLookup } from '../../../shared/adapters/DynamoDBDimensionLookup.js';
import { PartialBatchError } from '../../../shared/errors.js';

type Input = { RequestItems: Record<string, { Keys: { id: string }[] }> };

/** A DynamoDB client double that answers BatchGetItem, leaving chosen keys unprocessed: the throttling the emulator cannot produce. */
function fakeClient(unprocessedRounds: number, alwaysUnprocessed: readonly string[] = []) {
  const calls: string[][] = [];
  let round = 0;
  const client = {
    send: async (command: { input: Input }) => {
      const keys = command.input.RequestItems.t?.Keys.map((key) => key.id) ?? [];
      calls.push(keys);
      const throttled = keys.filter((key, i) => alwaysUnprocessed.includes(key) || (round < unprocessedRounds && i % 2 === 1));
      round += 1;
      return {
        Responses: { t: keys.filter((key) => !throttled.includes(key)).map((id) => ({ id, name: `item ${id}` })) },
        UnprocessedKeys: throttled.length ? { t: { Keys: throttled.map((id) => ({ id })) } } : {},
      };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, calls };
}

describe('Adapter: DynamoDBDimensionLookup', () => {
  it('asks at most 100 keys a call and retries only the UnprocessedKeys', async () => {
    const { client, calls } = fakeClient(1);
    const lookup = new DynamoDBDimensionLookup<{ id: string }>(client, 't', 'id', { sleep: async () => undefined, concurrency: 1 });
    const keys = Array.from({ length: 150 }, (_, i) => `k${i}`);
    const found = await lookup.getMany([...keys, 'k0']);
    expect(found.size).toBe(150);
    expect(calls.map((call) => call.length)).toEqual([100, 50, 50]);
    expect(calls[1]).toEqual(keys.slice(0, 100).filter((_, i) => i % 2 === 1));
  });

  it('throws a retryable error naming the keys still unprocessed after every attempt', async () => {
    const { client } = fakeClient(0, ['k3']);
    const lookup = new DynamoDBDimensionLookup<{ id: string }>(client, 't', 'id', { sleep: async () => undefined, maxAttempts: 3 });
    await expect(lookup.getMany(['k1', 'k3'])).rejects.toBeInstanceOf(PartialBatchError);
  });
});

describe('Adapter: DynamoDBDimensionLookup under throttling', () => {
  it('backs off and asks again when a whole BatchGetItem is throttled', async () => {
    let calls = 0;
    const client = {
      send: async (command: { input: Input }) => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
        return { Responses: { t: command.input.RequestItems.t?.Keys.map(({ id }) => ({ id })) } };
      },
    } as unknown as DynamoDBDocumentClient;
    const found = await new DynamoDBDimensionLookup<{ id: string }>(client, 't', 'id', { sleep: async () => undefined }).getMany(['a', 'b']);
    expect([...found.keys()]).toEqual(['a', 'b']);
    expect(calls).toBe(2);
  });
});
