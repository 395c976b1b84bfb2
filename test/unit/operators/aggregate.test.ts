import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { queries, type QueryName } from '../../../queries/index.js';
import { InMemoryAggregateStateStore } from '../../../shared/adapters/InMemoryAggregateStateStore.js';
import { compiledQueries } from '../../../shared/aggregate/queries.js';
import { createAggregateOperator } from '../../../shared/operators/aggregate.js';
import { buildAggregateInput } from '../../helpers/aggregateInput.js';
import { InMemoryDocumentSink, InMemoryResultPublisher, InMemoryResultStore } from '../../helpers/aggregateFakes.js';
import { feedScenario, type Deliver } from '../../helpers/aggregateRun.js';
import { diffRows } from '../../helpers/compareRows.js';
import { referenceResults, type ReferenceRow } from '../../helpers/referenceQueries.js';

const SHARDS = ['shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'];

function setup() {
  const state = new InMemoryAggregateStateStore();
  const results = new InMemoryResultStore();
  const publisher = new InMemoryResultPublisher();
  const late = new InMemoryDocumentSink();
  const operator = createAggregateOperator({ queries: compiledQueries(), state, shards: { openShards: async () => SHARDS, parentsOf: async () => [] }, results, publisher, late, clock: () => 1_000_000, idleTimeoutMs: 60_000, startupGraceMs: 0, firingTimeoutMs: 120_000 });
  return { state, results, publisher, late, operator };
}

describe('Operator: aggregate', () => {
  const input = buildAggregateInput({ seed: 7, days: 4, stores: 2, duplicateRate: 0.02, lateCount: 6 });
  let expected: Record<QueryName, ReferenceRow[]>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-aggregate-'));
    const file = join(dir, 'input.jsonl');
    writeFileSync(file, [...input.phase1, ...input.phase2].join('\n'));
    expected = await referenceResults({ rawLinesFile: file, productsCsv: 'data/products.csv', latePks: input.latePks });
  });

  const run = async (deliver?: Deliver) => {
    const env = setup();
    await feedScenario(input, SHARDS, env.operator, deliver);
    return env;
  };

  const check = async (results: InMemoryResultStore) => {
    for (const name of Object.keys(queries) as QueryName[]) {
      expect(diffRows(await results.read(name), expected[name]), name).toEqual([]);
    }
  };

  it('computes every shipped query as the reference does, with late records dropped from windows only', async () => {
    const { results, late } = await run();
    await check(results);
    expect(new Set([...late.documents.values()].map((document) => JSON.parse(Buffer.from(document.rawData, 'base64').toString()).pk))).toEqual(input.latePks);
    expect([...late.documents.values()].every((document) => document.errorOutputType === 'late-data')).toBe(true);
  });

  it('counts nothing twice when batches are delivered again, whole or in part', async () => {
    const { results, late } = await run(async (operator, batch, index) => {
      if (index % 3 === 0) await operator(batch.slice(0, Math.ceil(batch.length / 2)));
      await operator(batch);
      if (index % 5 === 0) await operator(batch);
    });
    await check(results);
    expect(late.documents.size).toBe(input.latePks.size);
  });

  it('fires each window once, publishing its rows once', async () => {
    const { publisher } = await run();
    const pks = publisher.rows.filter((row) => row.window_start !== undefined).map((row) => row.pk);
    expect(new Set(pks).size).toBe(pks.length);
    const hourly = publisher.rows.filter((row) => row.query === 'hourly_sales');
    expect(hourly.length).toBe(expected.hourly_sales.length);
  });
});
