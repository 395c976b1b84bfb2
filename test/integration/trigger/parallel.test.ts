import { MergeShardsCommand, SplitShardCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { useTestStack } from '../../helpers/stack.js';
import { records, triggerFixture, type RecordedInvocation } from '../../helpers/triggerHarness.js';

useTestStack();

const shardOf = (invocation: RecordedInvocation): string => String(invocation.event.Records[0]?.eventID).split(':')[0] ?? '';

async function waitActive(kinesis: KinesisClient, streamName: string): Promise<void> {
  for (;;) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Trigger: parallelization and lineage', () => {
  it('keeps order per partition key with parallelizationFactor 3 while running keys concurrently', async () => {
    const fixture = await triggerFixture({ environment: { SLEEP_MS: '60' }, settings: { parallelizationFactor: 3, batchSize: 5 } });
    let running = 0;
    let maxRunning = 0;
    const trigger = await fixture.start({
      onInvoke: () => (maxRunning = Math.max(maxRunning, ++running)),
      onBatchResult: () => running--,
    });
    try {
      await fixture.put(records(90, 'r', 9));
      await trigger.waitUntilIdle();
      const seen = (await fixture.invocations()).flatMap((invocation) => invocation.records);
      expect(seen).toHaveLength(90);
      for (let key = 0; key < 9; key++) {
        const ofKey = seen.filter((record) => record.pk === `key-${key}`).map((record) => Number(record.data.split('-')[1]));
        expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
        expect(ofKey).toHaveLength(10);
      }
      expect(maxRunning).toBeGreaterThan(1);
      expect(maxRunning).toBeLessThanOrEqual(3);
    } finally {
      await trigger.stop();
    }
  });

  it('reads the children of a split shard only after the parent is drained', async () => {
    const fixture = await triggerFixture({ environment: { SLEEP_MS: '30' }, settings: { batchSize: 5 } });
    const trigger = await fixture.start();
    try {
      await fixture.put(records(30, 'before', 4));
      await fixture.kinesis.send(new SplitShardCommand({ StreamName: fixture.streamName, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
      await waitActive(fixture.kinesis, fixture.streamName);
      await fixture.put(records(30, 'after', 4));
      await trigger.waitUntilIdle();
      const invocations = await fixture.invocations();
      const parent = invocations.filter((invocation) => shardOf(invocation) === 'shardId-000000000000');
      const children = invocations.filter((invocation) => shardOf(invocation) !== 'shardId-000000000000');
      expect(parent.flatMap((invocation) => invocation.records.map((record) => record.data))).toEqual(records(30, 'before', 4).map((record) => record.data));
      expect(children.flatMap((invocation) => invocation.records).map((record) => record.data).sort()).toEqual(records(30, 'after', 4).map((record) => record.data).sort());
      expect(new Set(children.map(shardOf))).toEqual(new Set(['shardId-000000000001', 'shardId-000000000002']));
      const parentDone = Math.max(...parent.map((invocation) => invocation.startedAt)) + 30;
      expect(Math.min(...children.map((invocation) => invocation.startedAt))).toBeGreaterThanOrEqual(parentDone);
    } finally {
      await trigger.stop();
    }
  });

  it('reads a merged shard only after both parents are drained', async () => {
    const fixture = await triggerFixture({ shards: 2, environment: { SLEEP_MS: '30' }, settings: { batchSize: 5 } });
    const trigger = await fixture.start();
    try {
      await fixture.put(records(40, 'before', 8));
      await fixture.kinesis.send(new MergeShardsCommand({ StreamName: fixture.streamName, ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000001' }));
      await waitActive(fixture.kinesis, fixture.streamName);
      await fixture.put(records(20, 'after', 8));
      await trigger.waitUntilIdle();
      const invocations = await fixture.invocations();
      const parents = invocations.filter((invocation) => shardOf(invocation) !== 'shardId-000000000002');
      const child = invocations.filter((invocation) => shardOf(invocation) === 'shardId-000000000002');
      expect(parents.flatMap((invocation) => invocation.records.map((record) => record.data)).sort()).toEqual(records(40, 'before', 8).map((record) => record.data).sort());
      expect(child.flatMap((invocation) => invocation.records.map((record) => record.data))).toEqual(records(20, 'after', 8).map((record) => record.data));
      const parentsDone = Math.max(...parents.map((invocation) => invocation.startedAt)) + 30;
      expect(Math.min(...child.map((invocation) => invocation.startedAt))).toBeGreaterThanOrEqual(parentsDone);
      expect(trigger.stats()[0]?.shards['shardId-000000000000']?.finished).toBe(true);
      expect(trigger.stats()[0]?.shards['shardId-000000000001']?.finished).toBe(true);
    } finally {
      await trigger.stop();
    }
  });
});
