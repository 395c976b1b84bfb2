import { describe, expect, it } from 'vitest';
import { useTestStack } from '../../helpers/stack.js';
import { records, triggerFixture } from '../../helpers/triggerHarness.js';

useTestStack();

describe('Trigger: delivery', () => {
  it('delivers records in the exact shape of a Lambda Kinesis event', async () => {
    const fixture = await triggerFixture({ environment: { MARK: 'own-env' } });
    const trigger = await fixture.start();
    try {
      const before = Date.now() / 1000;
      const [seq] = await fixture.put([{ data: '{"amount":1200,"name":"김밥"}', key: 'store-12345' }]);
      await trigger.waitUntilIdle();
      const [invocation] = await fixture.invocations();
      const record = invocation?.event.Records[0] as Record<string, unknown> & { kinesis: Record<string, unknown> };
      expect(record).toEqual({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: 'store-12345',
          sequenceNumber: seq,
          data: Buffer.from('{"amount":1200,"name":"김밥"}').toString('base64'),
          approximateArrivalTimestamp: expect.any(Number),
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${seq}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//),
        awsRegion: fixture.model.region,
        eventSourceARN: fixture.streamArn,
      });
      const arrival = record.kinesis.approximateArrivalTimestamp as number;
      expect(arrival).toBeGreaterThan(before - 5);
      expect(arrival).toBeLessThan(Date.now() / 1000 + 1);
      expect(invocation?.mark).toBe('own-env');
      // Lambda's bootstrap for 256 MB: --max-semi-space-size=12 (young generation 3 × 12) --max-old-space-size=231.
      expect(invocation?.heap).toEqual({ young: 36, old: 231 });
      expect(invocation?.functionName).toBe(fixture.model.functions[0]?.name);
      expect(invocation?.remaining).toBeGreaterThan(9_000);
    } finally {
      await trigger.stop();
    }
  });

  it('respects the batch size and waits up to the batch window to fill a batch', async () => {
    const fixture = await triggerFixture({ settings: { batchSize: 4, batchWindowSeconds: 1 } });
    const trigger = await fixture.start();
    try {
      await fixture.put(records(2, 'early'));
      const putAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await fixture.put(records(7, 'late'));
      await trigger.waitUntilIdle();
      const invocations = await fixture.invocations();
      expect(invocations.map((invocation) => invocation.records.length)).toEqual([4, 4, 1]);
      expect(invocations.flatMap((invocation) => invocation.records.map((record) => record.data))).toEqual([...records(2, 'early'), ...records(7, 'late')].map((record) => record.data));
      // The first batch waited for more records instead of going out with the first two.
      expect(invocations[0]?.records.map((record) => record.data)).toEqual(['early-0', 'early-1', 'late-0', 'late-1']);
      expect((invocations[0]?.startedAt ?? 0) - putAt).toBeGreaterThanOrEqual(250);
    } finally {
      await trigger.stop();
    }
  });

  it('once the input has ended, sends what waits for a batching window when nothing else runs, instead of waiting out the window', async () => {
    const fixture = await triggerFixture({ settings: { batchSize: 100, batchWindowSeconds: 20 } });
    const trigger = await fixture.start();
    try {
      await fixture.put(records(3, 'tail'));
      const drainFrom = Date.now();
      await trigger.waitUntilIdle(15_000, { inputEnded: true });
      expect(Date.now() - drainFrom).toBeLessThan(10_000);
      const invocations = await fixture.invocations();
      expect(invocations.flatMap((invocation) => invocation.records.map((record) => record.data))).toEqual(records(3, 'tail').map((record) => record.data));
      // Without the end of input, the same wait is bound by the window.
      await fixture.put(records(2, 'more'));
      await expect(trigger.waitUntilIdle(3_000)).rejects.toThrow(/still busy after 3000 ms/);
    } finally {
      await trigger.stop();
    }
  });

  it('resumes from the checkpoint after a restart without reprocessing', async () => {
    const fixture = await triggerFixture({ settings: { startingPosition: 'TRIM_HORIZON', batchSize: 10 } });
    let trigger = await fixture.start();
    await fixture.put(records(15, 'first'));
    await trigger.waitUntilIdle();
    await trigger.stop();
    await fixture.put(records(5, 'second'));
    trigger = await fixture.start();
    try {
      await trigger.waitUntilIdle();
      const seen = (await fixture.invocations()).flatMap((invocation) => invocation.records.map((record) => record.data));
      expect(seen).toEqual([...records(15, 'first'), ...records(5, 'second')].map((record) => record.data));
    } finally {
      await trigger.stop();
    }
  });

  it('ignores records put before a LATEST start', async () => {
    const fixture = await triggerFixture({ settings: { startingPosition: 'LATEST' } });
    await fixture.put(records(3, 'old'));
    const trigger = await fixture.start();
    try {
      await fixture.put(records(2, 'new'));
      await trigger.waitUntilIdle();
      const seen = (await fixture.invocations()).flatMap((invocation) => invocation.records.map((record) => record.data));
      expect(seen).toEqual(['new-0', 'new-1']);
    } finally {
      await trigger.stop();
    }
  });

  it('keeps a LATEST mapping’s position across a restart even on a shard that saw no record', async () => {
    const fixture = await triggerFixture({ settings: { startingPosition: 'LATEST' } });
    await fixture.put(records(2, 'before'));
    const first = await fixture.start();
    await first.waitUntilIdle();
    await first.stop();
    await fixture.put(records(2, 'while-stopped'));
    const second = await fixture.start();
    try {
      await second.waitUntilIdle();
      const seen = (await fixture.invocations()).flatMap((invocation) => invocation.records.map((record) => record.data));
      expect(seen).toEqual(['while-stopped-0', 'while-stopped-1']);
    } finally {
      await second.stop();
    }
  });

  it('times a handler out at the function timeout and delivers the batch again in a fresh environment', async () => {
    const fixture = await triggerFixture({ timeoutSeconds: 1, environment: { SLEEP_MS: '1500' }, bucket: true, settings: { maximumRetryAttempts: 1 } });
    const results: string[] = [];
    const trigger = await fixture.start({ onBatchResult: (result) => results.push(result.status) });
    try {
      await fixture.put(records(1, 'slow'));
      await trigger.waitUntilIdle();
      expect(results).toEqual(['timeout', 'timeout']);
      const invocations = await fixture.invocations();
      expect(invocations).toHaveLength(2);
      // A timed-out environment is replaced: the second invocation is a cold start.
      expect(invocations[1]?.coldAt).toBeGreaterThan(invocations[0]?.coldAt ?? Infinity);
      const [failure] = await fixture.failureRecords();
      expect(failure?.record.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(failure?.record.responseContext.functionError).toBe('Unhandled');
    } finally {
      await trigger.stop();
    }
  });
});
