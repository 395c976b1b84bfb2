import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createTestStream, uniqueName, useTestStack } from '../../helpers/stack.js';
import { records, triggerFixture } from '../../helpers/triggerHarness.js';
import type { FaultSpec } from '../../../local/trigger/index.js';

useTestStack();

interface ForwardLine {
  requestId: string;
  seqs: string[];
  failedRecordCount: number;
  errorCodes: (string | null)[];
  attempts: number;
}

async function forwardFixture() {
  const forwardStream = uniqueName('trigger-fwd');
  const fixture = await triggerFixture({ handler: 'test/helpers/triggerHandlers/forward.handler', environment: { FORWARD_STREAM: forwardStream }, settings: { batchSize: 10 } });
  await createTestStream(fixture.kinesis, forwardStream);
  const forwarded = async (): Promise<string[]> => {
    const { ShardIterator } = await fixture.kinesis.send(new GetShardIteratorCommand({ StreamName: forwardStream, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const out = await fixture.kinesis.send(new GetRecordsCommand({ ShardIterator }));
    return (out.Records ?? []).map((record) => Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'));
  };
  const lines = async (): Promise<ForwardLine[]> => (await fixture.invocations()) as unknown as ForwardLine[];
  return { fixture, forwarded, lines };
}

describe('Trigger: fault injection', () => {
  it('crashes after the first successful PutRecords and delivers the batch again', async () => {
    const { fixture, forwarded, lines } = await forwardFixture();
    const faults: FaultSpec[] = [{ kind: 'crash', operation: 'PutRecords', when: 'after', call: 1, invocation: 1 }];
    const statuses: string[] = [];
    const trigger = await fixture.start({ faults, onBatchResult: (result) => statuses.push(result.status) });
    try {
      await fixture.put(records(3));
      await trigger.waitUntilIdle();
      expect(statuses).toEqual(['crash', 'ok']);
      // The crash came after the write: the redelivery writes the batch a second time (at-least-once).
      expect(await forwarded()).toEqual(['r-0', 'r-1', 'r-2', 'r-0', 'r-1', 'r-2']);
      expect(await lines()).toHaveLength(1);
    } finally {
      await trigger.stop();
    }
  });

  it('fails before the first PutRecords: nothing is written until the retry', async () => {
    const { fixture, forwarded } = await forwardFixture();
    const statuses: string[] = [];
    const trigger = await fixture.start({ faults: [{ kind: 'fail', operation: 'PutRecords', when: 'before', invocation: 1 }], onBatchResult: (result) => statuses.push(result.error?.errorType ?? result.status) });
    try {
      await fixture.put(records(2));
      await trigger.waitUntilIdle();
      expect(statuses).toEqual(['InjectedFaultError', 'ok']);
      expect(await forwarded()).toEqual(['r-0', 'r-1']);
    } finally {
      await trigger.stop();
    }
  });

  it('throttles PutRecords twice; the SDK retries and the handler succeeds', async () => {
    const { fixture, forwarded, lines } = await forwardFixture();
    const statuses: string[] = [];
    const trigger = await fixture.start({ faults: [{ kind: 'throttle', operation: 'PutRecords', attempts: 2 }], onBatchResult: (result) => statuses.push(result.status) });
    try {
      await fixture.put(records(2));
      await trigger.waitUntilIdle();
      expect(statuses).toEqual(['ok']);
      expect((await lines())[0]?.attempts).toBe(3);
      expect(await forwarded()).toEqual(['r-0', 'r-1']);
    } finally {
      await trigger.stop();
    }
  });

  it('makes PutRecords report per-entry throttling for chosen entries', async () => {
    const { fixture, forwarded, lines } = await forwardFixture();
    const trigger = await fixture.start({ faults: [{ kind: 'putRecordsPartialFailure', entries: [1] }] });
    try {
      await fixture.put(records(3));
      await trigger.waitUntilIdle();
      const [line] = await lines();
      expect(line?.failedRecordCount).toBe(1);
      expect(line?.errorCodes).toEqual([null, 'ProvisionedThroughputExceededException', null]);
      expect(await forwarded()).toEqual(['r-0', 'r-2']);
    } finally {
      await trigger.stop();
    }
  });

  it('delivers a batch twice', async () => {
    const fixture = await triggerFixture();
    const trigger = await fixture.start({ faults: [{ kind: 'deliverTwice', invocation: 1 }] });
    try {
      await fixture.put(records(2));
      await trigger.waitUntilIdle();
      const invocations = await fixture.invocations();
      expect(invocations.map((invocation) => invocation.records.map((record) => record.data))).toEqual([
        ['r-0', 'r-1'],
        ['r-0', 'r-1'],
      ]);
      expect(invocations[0]?.requestId).not.toBe(invocations[1]?.requestId);
    } finally {
      await trigger.stop();
    }
  });
});
