import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchExecuteStatementCommand, BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBDocumentClient } from '../../../shared/adapters/clients.js';
import { DynamoDBSeenKeyStore } from '../../../shared/adapters/DynamoDBSeenKeyStore.js';
import type { ClaimOutcome } from '../../../shared/ports/SeenKeyStore.js';
import { uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const client = createDynamoDBDocumentClient();
const table = uniqueName('seen');
const now = 1_800_000_000;
const claimedAt = now * 1000;
const status = (outcomes: readonly ClaimOutcome[]): string[] => outcomes.map((outcome) => outcome.status);

beforeAll(async () => {
  await client.send(new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
});

const claims = (prefix: string, count: number, owner: string) => Array.from({ length: count }, (_, i) => ({ key: `${prefix}-${i}`, owner: `${owner}-${i}`, claimedAt, expiresAt: now + 3600 }));

describe('Adapter: DynamoDBSeenKeyStore (DynamoDB Local)', () => {
  it('claims 1,000 new keys in 40 inserts and no read, then knows them from 10 consistent reads', async () => {
    const store = new DynamoDBSeenKeyStore(client, table);
    const first = await store.claim(claims('k', 1000, 'shard-a'), now);
    expect(first.every((outcome) => outcome.status === 'new')).toBe(true);
    expect(store.requests).toEqual({ reads: 0, writes: 40 });
    const again = await store.claim(claims('k', 1000, 'shard-a'), now);
    expect(again.every((outcome) => outcome.status === 'mine' && outcome.claimedAt === claimedAt)).toBe(true);
    const others = await store.claim(claims('k', 1000, 'shard-b'), now);
    expect(others.every((outcome) => outcome.status === 'taken')).toBe(true);
    expect(store.requests).toEqual({ reads: 20, writes: 120 });
  });

  it('treats an expired claim as absent', async () => {
    const store = new DynamoDBSeenKeyStore(client, table);
    await store.claim([{ key: 'old', owner: 'x', claimedAt, expiresAt: now - 1 }], now - 10);
    expect(status(await store.claim([{ key: 'old', owner: 'y', claimedAt, expiresAt: now + 10 }], now))).toEqual(['new']);
  });

  it('knows its own claim when a stale read misses it (the old item comes back with the cancelled write)', async () => {
    const owner = 'shardId-000000000009:42:';
    await new DynamoDBSeenKeyStore(client, table).claim([{ key: 'stale', owner, claimedAt, expiresAt: now + 60 }], now);
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
    expect(await store.claim([{ key: 'stale', owner, claimedAt: claimedAt + 5, expiresAt: now + 60 }], now)).toEqual([{ status: 'mine', claimedAt, expiresAt: now + 60 }]);
    expect(status(await store.claim([{ key: 'stale', owner: 'someone-else', claimedAt, expiresAt: now + 60 }], now))).toEqual(['taken']);
  });

  it('answers mine with the expiry alone for a claim stored before the claim time was kept', async () => {
    await client.send(new PutCommand({ TableName: table, Item: { pk: 'legacy', owner: 'shardId-000000000001:7:', expires_at: now + 60 } }));
    const store = new DynamoDBSeenKeyStore(client, table);
    expect(await store.claim([{ key: 'legacy', owner: 'shardId-000000000001:7:', claimedAt, expiresAt: now + 3600 }], now)).toEqual([{ status: 'mine', expiresAt: now + 60 }]);
  });

  it('inserts again, after a backoff, the statements DynamoDB throttled', async () => {
    // DynamoDB Local does not throttle: the first statement of the first call is held back and answered ThrottlingError.
    const throttling = createDynamoDBDocumentClient();
    const send = throttling.send.bind(throttling) as (command: unknown) => Promise<{ Responses?: unknown[] }>;
    let throttled = 0;
    Object.assign(throttling, {
      send: async (command: unknown) => {
        if (!(command instanceof BatchExecuteStatementCommand) || throttled > 0) return send(command);
        throttled += 1;
        const [, ...rest] = command.input.Statements ?? [];
        const output = await send(new BatchExecuteStatementCommand({ Statements: rest }));
        return { ...output, Responses: [{ Error: { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity' } }, ...(output.Responses ?? [])] };
      },
    });
    const sleeps: number[] = [];
    const store = new DynamoDBSeenKeyStore(throttling, table, { sleep: async (ms) => void sleeps.push(ms) });
    expect(status(await store.claim(claims('throttled', 30, 'owner'), now))).toEqual(Array.from({ length: 30 }, () => 'new'));
    expect(throttled).toBe(1);
    expect(sleeps).toHaveLength(1);
    expect(store.requests.writes).toBe(3);
  });

  it('lets exactly one of two racing claimers win each key', async () => {
    const [a, b] = [new DynamoDBSeenKeyStore(client, table), new DynamoDBSeenKeyStore(client, table)];
    const [left, right] = await Promise.all([a.claim(claims('race', 300, 'left'), now), b.claim(claims('race', 300, 'right'), now)]);
    left.forEach((outcome, i) => {
      expect([outcome.status, right[i]?.status].sort()).toEqual(['new', 'taken']);
    });
  });
});
