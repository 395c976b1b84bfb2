import { beforeAll, describe, expect, it } from 'vitest';
import { queries, type QueryName } from '../../../queries/index.js';
import { InMemoryAggregateStateStore } from '../../../shared/adapters/InMemoryAggregateStateStore.js';
import { compiledQueries } from '../../../shared/aggregate/queries.js';
import { createAggregateOperator } from '../../../shared/operators/aggregate.js';
import { buildAggregateInput } from '../../helpers/aggregateInput.js';
import { InMemoryDocumentSink, InMemoryResultPublisher, InMemoryResultStore } from '../../helpers/aggregateFakes.js';
import { enrichLines, feedScenario, loadProductMap, ShardFeed, type Deliver } from '../../helpers/aggregateRun.js';
import { compileQuery, type CompiledQuery } from '../../../shared/aggregate/compile.js';
import { defineQuery } from '../../../shared/queries/index.js';
import type { EnrichedTransaction } from '../../../shared/types.js';
import { diffRows } from '../../helpers/compareRows.js';
import { referenceOfLines, type ReferenceRow } from '../../helpers/referenceQueries.js';

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
    expected = await referenceOfLines([...input.phase1, ...input.phase2], input.latePks);
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

describe('Operator: aggregate, allowed lateness', () => {
  const query = compileQuery(
    defineQuery({ name: 'late_hourly', window: { kind: 'tumble', size: '1 h' }, allowedLateness: '2 h', aggregates: [{ name: 'sum_of_mount', fn: 'sum', field: 'mount' }, { name: 'cnt', fn: 'count' }] }),
  );
  const row = (tr_datetime: string, mount: number, receipt: string): EnrichedTransaction => ({
    ...(enrichLines([JSON.stringify({ tr_date: tr_datetime.slice(0, 10), tr_time: tr_datetime.slice(11, 13), store_cd: '12345', store_name: '등촌점', pos_num: '1', receipt_num: receipt, product_cd: '8801115139560', qty: 1, mount, tr_datetime })], loadProductMap())[0] as EnrichedTransaction),
  });

  it('counts a record behind the watermark but within the lateness, and emits its window again at a higher revision; drops one beyond it', async () => {
    const state = new InMemoryAggregateStateStore();
    const results = new InMemoryResultStore();
    const publisher = new InMemoryResultPublisher();
    const late = new InMemoryDocumentSink();
    const shard = 'shardId-000000000001';
    const operator = createAggregateOperator({ queries: [query], state, shards: { openShards: async () => [shard], parentsOf: async () => [] }, results, publisher, late, clock: () => 1_000_000, idleTimeoutMs: 60_000, startupGraceMs: 0, firingTimeoutMs: 120_000 });
    const feed = new ShardFeed([shard]);
    const deliver = async (records: EnrichedTransaction[]) => {
      for (const batch of feed.spread(records, records.length).values()) await operator(batch);
    };
    await deliver([row('2015-01-05T01:10:00', 1000, '1'), row('2015-01-05T02:20:00', 2000, '2')]);
    await deliver([row('2015-01-05T03:30:00', 4000, '3')]);
    // The watermark (03:30 − 5 s) has passed 01:00–02:00 and 02:00–03:00: both fired.
    expect(await results.read('late_hourly')).toEqual([
      { window_start: '2015-01-05T01:00:00', window_end: '2015-01-05T02:00:00', sum_of_mount: 1000, cnt: 1 },
      { window_start: '2015-01-05T02:00:00', window_end: '2015-01-05T03:00:00', sum_of_mount: 2000, cnt: 1 },
    ]);
    // 01:50 is behind the watermark but its window ended less than 2 h before it: counted, re-emitted.
    await deliver([row('2015-01-05T01:50:00', 500, '4')]);
    expect((await results.read('late_hourly'))[0]).toEqual({ window_start: '2015-01-05T01:00:00', window_end: '2015-01-05T02:00:00', sum_of_mount: 1500, cnt: 2 });
    const emissions = publisher.rows.filter((published) => published.window_start === '2015-01-05T01:00:00');
    expect(emissions.map((published) => published.sum_of_mount)).toEqual([1000, 1500]);
    expect((emissions[1]?.revision ?? 0) > (emissions[0]?.revision ?? 0)).toBe(true);
    expect(late.documents.size).toBe(0);
    // Move the watermark to 06:30: the 01:00 window is now more than 2 h behind it.
    await deliver([row('2015-01-05T06:30:00', 8000, '5')]);
    await deliver([row('2015-01-05T01:40:00', 300, '6')]);
    expect((await results.read('late_hourly'))[0]).toMatchObject({ sum_of_mount: 1500, cnt: 2 });
    expect([...late.documents.values()].map((document) => document.errorOutputType)).toEqual(['late-data']);
    expect([...late.documents.values()][0]?.errorMessage).toMatch(/late_hourly/);
  });

  /**
   * An operator over shards `a` and `b` with in-memory stores; after `dieAfterSlices()`, shard a's
   * next invocation dies after writing its slices and before advancing its clock.
   */
  const twoShards = (compiled: CompiledQuery) => {
    const shards = { a: 'shardId-000000000001', b: 'shardId-000000000002' } as const;
    const state = new InMemoryAggregateStateStore();
    let dying = false;
    const failing = new Proxy(state, {
      get: (target, name, receiver) =>
        name === 'advanceShard'
          ? async (...args: Parameters<InMemoryAggregateStateStore['advanceShard']>) => {
              if (dying && args[0] === shards.a) {
                dying = false;
                throw new Error('the invocation died');
              }
              return target.advanceShard(...args);
            }
          : (Reflect.get(target, name, receiver) as unknown),
    });
    const results = new InMemoryResultStore();
    const publisher = new InMemoryResultPublisher();
    const late = new InMemoryDocumentSink();
    const operator = createAggregateOperator({ queries: [compiled], state: failing, shards: { openShards: async () => Object.values(shards), parentsOf: async () => [] }, results, publisher, late, clock: () => 1_000_000, idleTimeoutMs: 60_000, startupGraceMs: 0, firingTimeoutMs: 120_000 });
    const feeds = { a: new ShardFeed([shards.a]), b: new ShardFeed([shards.b]) };
    const batchOf = (shard: keyof typeof shards, records: EnrichedTransaction[]) => feeds[shard].spread(records).get(shards[shard]) ?? [];
    return { operator, results, publisher, late, batchOf, dieAfterSlices: () => void (dying = true) };
  };

  it('counts, not as late, the records of a retried batch whose window another shard fired after the first attempt wrote them', async () => {
    const hourly = compileQuery(defineQuery({ name: 'hourly', window: { kind: 'tumble', size: '1 h' }, aggregates: [{ name: 'sum_of_mount', fn: 'sum', field: 'mount' }, { name: 'cnt', fn: 'count' }] }));
    const { operator, results, publisher, late, batchOf, dieAfterSlices } = twoShards(hourly);
    await operator(batchOf('a', [row('2015-01-05T01:10:00', 1000, '1')]));
    await operator(batchOf('b', [row('2015-01-05T01:20:00', 2000, '2')]));
    await operator(batchOf('a', [row('2015-01-05T02:30:00', 4000, '3')]));
    // b holds the watermark at 01:20: a record of 01:40 on a is in time, and its slice is written before a dies.
    const inTime = batchOf('a', [row('2015-01-05T01:40:00', 300, '4')]);
    dieAfterSlices();
    await expect(operator(inTime)).rejects.toThrow('the invocation died');
    // b moves the watermark past 02:00: 01:00–02:00 fires, with a's record in it.
    await operator(batchOf('b', [row('2015-01-05T02:40:00', 8000, '5')]));
    await operator(inTime);
    expect(late.documents.size).toBe(0);
    expect((await results.read('hourly'))[0]).toEqual({ window_start: '2015-01-05T01:00:00', window_end: '2015-01-05T02:00:00', sum_of_mount: 3300, cnt: 3 });
    const pks = publisher.rows.filter((published) => published.window_start === '2015-01-05T01:00:00').map((published) => published.pk);
    expect(new Set(pks).size).toBe(pks.length);
  });

  it('publishes a window emitted again once, when a retried batch finds another shard has emitted it since', async () => {
    const { operator, results, publisher, batchOf, dieAfterSlices } = twoShards(query);
    await operator(batchOf('a', [row('2015-01-05T01:10:00', 1000, '1')]));
    await operator(batchOf('b', [row('2015-01-05T02:20:00', 2000, '2')]));
    await operator(batchOf('a', [row('2015-01-05T03:30:00', 4000, '3')]));
    await operator(batchOf('b', [row('2015-01-05T03:40:00', 8000, '4')]));
    // Both clocks are past 03:00: 01:00–02:00 fired. Late records within the lateness update it on each shard.
    const lateOnA = batchOf('a', [row('2015-01-05T01:50:00', 500, '5')]);
    dieAfterSlices();
    await expect(operator(lateOnA)).rejects.toThrow('the invocation died');
    await operator(batchOf('b', [row('2015-01-05T01:40:00', 300, '6')]));
    // b emitted the window from both late records; a's retry finds the same window, already on the stream.
    await operator(lateOnA);
    const emissions = publisher.rows.filter((published) => published.window_start === '2015-01-05T01:00:00');
    expect(emissions.map((published) => published.sum_of_mount)).toEqual([1000, 1800]);
    expect(new Set(emissions.map((published) => published.pk)).size).toBe(emissions.length);
    expect((await results.read('late_hourly'))[0]).toMatchObject({ sum_of_mount: 1800, cnt: 3 });
  });
});
