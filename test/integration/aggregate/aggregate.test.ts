import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { queries, type QueryName } from '../../../queries/index.js';
import { createDynamoDBDocumentClient } from '../../../shared/adapters/clients.js';
import { DynamoDBAggregateStateStore } from '../../../shared/adapters/DynamoDBAggregateStateStore.js';
import { DynamoDBResultStore } from '../../../shared/adapters/DynamoDBResultStore.js';
import { compiledQueries } from '../../../shared/aggregate/queries.js';
import { createAggregateOperator, type AggregateOutcome } from '../../../shared/operators/aggregate.js';
import { isControl } from '../../../shared/aggregate/control.js';
import { buildAggregateInput } from '../../helpers/aggregateInput.js';
import { InMemoryDocumentSink, InMemoryResultPublisher } from '../../helpers/aggregateFakes.js';
import { feedScenario, type Deliver } from '../../helpers/aggregateRun.js';
import { diffRows } from '../../helpers/compareRows.js';
import { referenceOfLines, type ReferenceRow } from '../../helpers/referenceQueries.js';
import { createTestTable, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const SHARDS = ['shardId-000000000001', 'shardId-000000000002'];
const input = buildAggregateInput({ seed: 11, days: 3, stores: 1, duplicateRate: 0.02, lateCount: 4 });
let expected: Record<QueryName, ReferenceRow[]>;

beforeAll(async () => {
  expected = await referenceOfLines([...input.phase1, ...input.phase2], input.latePks);
});

async function createTables(client: DynamoDBDocumentClient): Promise<{ state: string; results: string }> {
  const tables = { state: uniqueName('state'), results: uniqueName('results') };
  for (const name of Object.values(tables)) await createTestTable(client as unknown as DynamoDBClient, name, 'pk', 'sk');
  return tables;
}

/** A crash injected into the state's client: thrown before or after the n-th write reaches DynamoDB. */
class Crash extends Error {}

function crashingClient(base: DynamoDBDocumentClient, plan: { countdown: number; after: boolean }): DynamoDBDocumentClient {
  const send = base.send.bind(base) as (command: unknown) => Promise<unknown>;
  return new Proxy(base, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { constructor: { name: string } }) => {
        const write = ['UpdateCommand', 'PutCommand', 'TransactWriteCommand'].includes(command.constructor.name);
        if (write && --plan.countdown === 0) {
          if (plan.after) await send(command);
          throw new Crash(`crash ${plan.after ? 'after' : 'before'} ${command.constructor.name}`);
        }
        return send(command);
      };
    },
  }) as DynamoDBDocumentClient;
}

async function runOnDynamoDB(deliver?: Deliver, plan?: { countdown: number; after: boolean }, scenario: { phase1: readonly string[]; phase2: readonly string[] } = input, batchSize = 250) {
  const base = createDynamoDBDocumentClient();
  const tables = await createTables(base);
  const client = plan === undefined ? base : crashingClient(base, plan);
  const state = new DynamoDBAggregateStateStore(client, tables.state);
  const results = new DynamoDBResultStore(client, tables.results);
  const publisher = new InMemoryResultPublisher();
  const late = new InMemoryDocumentSink();
  const operator = createAggregateOperator({ queries: compiledQueries(), state, shards: { openShards: async () => SHARDS, parentsOf: async () => [] }, results, publisher, late, clock: () => 1_000_000, idleTimeoutMs: 60_000, startupGraceMs: 0, firingTimeoutMs: 120_000 });
  await feedScenario(scenario, SHARDS, operator, deliver, batchSize);
  return { state, results: new DynamoDBResultStore(base, tables.results), publisher, late };
}

const check = async (results: DynamoDBResultStore) => {
  for (const name of Object.keys(queries) as QueryName[]) expect(diffRows(await results.read(name), expected[name]), name).toEqual([]);
};

describe('Operator: aggregate on DynamoDB Local', () => {
  it('matches the reference for every shipped query, at under one write per record', async () => {
    const { state, results, late } = await runOnDynamoDB();
    await check(results);
    expect(late.documents.size).toBe(input.latePks.size);
    const records = input.phase1.length + input.phase2.length;
    // One write per touched slice per query per batch; a naive store writes once per record and window (~40 here).
    expect(state.requests.writes / records).toBeLessThan(1);
  });

  it('counts every record once when the invocation crashes before or after any write and the batch is delivered again', async () => {
    // The writes the third batch makes (slices, results and clock; slices and results go up to 100 a transaction).
    const counting = { countdown: 1e9, after: false };
    let writes = 0;
    await runOnDynamoDB(async (operator, batch, index) => {
      const before = counting.countdown;
      await operator(batch);
      if (index === 2) writes = before - counting.countdown;
    }, counting);
    expect(writes).toBeGreaterThan(4);
    for (const [countdown, after] of [
      [1, false],
      [Math.ceil(writes / 2), true],
      [writes - 1, false],
      [writes, true],
    ] as const) {
      const plan = { countdown: Number.POSITIVE_INFINITY, after };
      let armed = false;
      const deliver: Deliver = async (operator, batch, index) => {
        if (index === 2 && !armed) {
          armed = true;
          plan.countdown = countdown;
          await expect(operator(batch)).rejects.toBeInstanceOf(Crash);
          // The delivery after the crash accounts for every record, watermarks apart, whatever the crash had applied.
          const outcome = (await operator(batch)) as AggregateOutcome;
          const controls = batch.filter(({ value }) => isControl(value)).length;
          expect(controls).toBeGreaterThan(0);
          expect(outcome.control).toBe(controls);
          expect(outcome.counted + outcome.late + outcome.replayed + outcome.control).toBe(batch.length);
          return;
        }
        await operator(batch);
      };
      const { results, late } = await runOnDynamoDB(deliver, plan);
      await check(results);
      expect(late.documents.size, `crash ${after ? 'after' : 'before'} write ${countdown}`).toBe(input.latePks.size);
    }
  });
});

describe('Adapter: DynamoDBAggregateStateStore, large batches', () => {
  it('writes a batch spanning ten days (120 distinct-bucket sizes, over one expression) in several writes, and counts visitors exactly', async () => {
    const wide = buildAggregateInput({ seed: 5, days: 10, stores: 1, rows: 1_200, duplicateRate: 0, lateCount: 0 });
    const reference = await referenceOfLines(wide.phase1);
    const { results, state } = await runOnDynamoDB(undefined, undefined, wide, 1_000);
    for (const name of ['sales_kpi', 'division_totals'] as const) expect(diffRows(await results.read(name), reference[name]), name).toEqual([]);
    expect(state.requests.writes).toBeGreaterThan(0);
  });
});
