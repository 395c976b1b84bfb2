import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBDocumentClient } from '../../../shared/adapters/clients.js';
import { DynamoDBSeenKeyStore } from '../../../shared/adapters/DynamoDBSeenKeyStore.js';
import { uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const client = createDynamoDBDocumentClient();
const table = uniqueName('seen');
const now = 1_800_000_000;

beforeAll(async () => {
  await client.send(new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
});

const claims = (prefix: string, count: number, owner: string) => Array.from({ length: count }, (_, i) => ({ key: `${prefix}-${i}`, owner: `${owner}-${i}`, expiresAt: now + 3600 }));

describe('Adapter: DynamoDBSeenKeyStore (DynamoDB Local)', () => {
  it('claims 1,000 new keys in 10 reads and 10 transactional writes, then knows them', async () => {
    const store = new DynamoDBSeenKeyStore(client, table);
    const first = await store.claim(claims('k', 1000, 'shard-a'), now);
    expect(first.every((outcome) => outcome === 'new')).toBe(true);
    expect(store.requests).toEqual({ reads: 10, writes: 10 });
    const again = await store.claim(claims('k', 1000, 'shard-a'), now);
    expect(again.every((outcome) => outcome === 'mine')).toBe(true);
    const others = await store.claim(claims('k', 1000, 'shard-b'), now);
    expect(others.every((outcome) => outcome === 'taken')).toBe(true);
    expect(store.requests).toEqual({ reads: 30, writes: 10 });
  });

  it('treats an expired claim as absent', async () => {
    const store = new DynamoDBSeenKeyStore(client, table);
    await store.claim([{ key: 'old', owner: 'x', expiresAt: now - 1 }], now - 10);
    expect(await store.claim([{ key: 'old', owner: 'y', expiresAt: now + 10 }], now)).toEqual(['new']);
  });

  it('knows its own claim when a stale read misses it (the old item comes back with the cancelled write)', async () => {
    const owner = 'shardId-000000000009:42:';
    await new DynamoDBSeenKeyStore(client, table).claim([{ key: 'stale', owner, expiresAt: now + 60 }], now);
    // DynamoDB Local always reads consistently; stand in for an eventually consistent read that has not seen the claim yet.
    const stale = createDynamoDBDocumentClient();
    const send = stale.send.bind(stale) as (command: unknown) => Promise<Record<string, unknown>>;
    Object.assign(stale, {
      send: async (command: unknown) => {
        const output = await send(command);
        return command instanceof BatchGetCommand ? { ...output, Responses: { [table]: [] } } : output;
      },
    });
    const store = new DynamoDBSeenKeyStore(stale, table);
    expect(await store.claim([{ key: 'stale', owner, expiresAt: now + 60 }], now)).toEqual(['mine']);
    expect(await store.claim([{ key: 'stale', owner: 'someone-else', expiresAt: now + 60 }], now)).toEqual(['taken']);
  });

  it('lets exactly one of two racing claimers win each key', async () => {
    const [a, b] = [new DynamoDBSeenKeyStore(client, table), new DynamoDBSeenKeyStore(client, table)];
    const [left, right] = await Promise.all([a.claim(claims('race', 300, 'left'), now), b.claim(claims('race', 300, 'right'), now)]);
    left.forEach((outcome, i) => {
      expect([outcome, right[i]].sort()).toEqual(['new', 'taken']);
    });
  });
});
