import { describe, expect, it } from 'vitest';
import { useTestStack } from '../../helpers/stack.js';
import { records, triggerFixture } from '../../helpers/triggerHarness.js';

useTestStack();

const datas = (invocation: { records: { data: string }[] } | undefined): string[] => invocation?.records.map((record) => record.data) ?? [];

describe('Trigger: failures', () => {
  it('resumes a partial batch failure from the lowest failed sequence number', async () => {
    const fixture = await triggerFixture({ environment: { FAIL_ONCE: 'r-3' }, settings: { reportBatchItemFailures: true, batchSize: 10 } });
    const retries: number[] = [];
    const trigger = await fixture.start({ onInvoke: (event) => retries.push(event.attempt) });
    try {
      await fixture.put(records(6));
      await trigger.waitUntilIdle();
      const invocations = await fixture.invocations();
      expect(invocations.map(datas)).toEqual([
        ['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-5'],
        ['r-3', 'r-4', 'r-5'],
      ]);
      expect(retries).toEqual([0, 1]);
      expect(trigger.stats()[0]).toMatchObject({ recordsIn: 6, recordsDone: 6, retries: 1, recordsFailed: 0 });
    } finally {
      await trigger.stop();
    }
  });

  it('fails the whole batch when batchItemFailures names a record not in the batch', async () => {
    const fixture = await triggerFixture({ environment: { BAD_ITEM: '1' }, bucket: true, settings: { reportBatchItemFailures: true, maximumRetryAttempts: 1 } });
    const trigger = await fixture.start();
    try {
      await fixture.put(records(3));
      await trigger.waitUntilIdle();
      expect((await fixture.invocations()).map(datas)).toEqual([
        ['r-0', 'r-1', 'r-2'],
        ['r-0', 'r-1', 'r-2'],
      ]);
      const failures = await fixture.failureRecords();
      expect(failures.map((failure) => failure.record.KinesisBatchInfo.batchSize)).toEqual([3]);
    } finally {
      await trigger.stop();
    }
  });

  it('bisects a failing batch until the poison record is alone, and sends only it to the destination', async () => {
    const fixture = await triggerFixture({ environment: { POISON: 'r-5' }, bucket: true, settings: { bisectBatchOnFunctionError: true, maximumRetryAttempts: 1, batchSize: 8 } });
    const trigger = await fixture.start();
    try {
      const seqs = await fixture.put(records(8));
      await trigger.waitUntilIdle();
      const invocations = await fixture.invocations();
      const succeeded = invocations.filter((invocation) => !datas(invocation).includes('r-5')).flatMap(datas);
      expect(succeeded.sort()).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-6', 'r-7']);
      const failures = await fixture.failureRecords();
      expect(failures).toHaveLength(1);
      const info = failures[0]?.record.KinesisBatchInfo;
      expect(info).toMatchObject({ batchSize: 1, startSequenceNumber: seqs[5], endSequenceNumber: seqs[5], shardId: 'shardId-000000000000', streamArn: fixture.streamArn });
      // Every invocation that carried the poison record counts, the bisected ones included.
      expect(failures[0]?.record.requestContext.approximateInvokeCount).toBe(invocations.filter((invocation) => datas(invocation).includes('r-5')).length);
      expect(trigger.stats()[0]).toMatchObject({ recordsDone: 8, recordsFailed: 1 });
    } finally {
      await trigger.stop();
    }
  });

  it('stops retrying after maximumRetryAttempts and writes the failure record to S3', async () => {
    const fixture = await triggerFixture({ environment: { THROW: '1' }, bucket: true, settings: { maximumRetryAttempts: 2, batchSize: 3 } });
    const trigger = await fixture.start();
    try {
      const seqs = await fixture.put(records(3));
      await fixture.put(records(1, 'next'));
      await trigger.waitUntilIdle();
      const invocations = await fixture.invocations();
      // One delivery and two retries of the first batch, then the shard moves on.
      expect(invocations.slice(0, 3).map(datas)).toEqual(Array(3).fill(['r-0', 'r-1', 'r-2']));
      const failures = await fixture.failureRecords();
      expect(failures).toHaveLength(2);
      const first = failures.find((failure) => failure.record.KinesisBatchInfo.startSequenceNumber === seqs[0]);
      expect(first?.key).toMatch(/^aws\/lambda\/[0-9a-f-]{36}\/shardId-000000000000\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}$/);
      expect(first?.record).toMatchObject({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3, functionArn: expect.stringContaining(':function:eddy-test-') },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        KinesisBatchInfo: { shardId: 'shardId-000000000000', startSequenceNumber: seqs[0], endSequenceNumber: seqs[2], batchSize: 3, streamArn: fixture.streamArn },
      });
      const payload = JSON.parse(first?.record.payload ?? '{}') as { Records: { kinesis: { sequenceNumber: string } }[] };
      expect(payload.Records.map((record) => record.kinesis.sequenceNumber)).toEqual(seqs);
    } finally {
      await trigger.stop();
    }
  });

  it('discards records older than maximumRecordAgeInSeconds to the destination', async () => {
    const fixture = await triggerFixture({ environment: { THROW: '1' }, bucket: true, settings: { maximumRecordAgeInSeconds: 1, maximumRetryAttempts: -1 } });
    const trigger = await fixture.start({ retryBackoffMs: 200 });
    try {
      const seqs = await fixture.put(records(2));
      await trigger.waitUntilIdle();
      const failures = await fixture.failureRecords();
      expect(failures).toHaveLength(1);
      expect(failures[0]?.record.requestContext.condition).toBe('MaximumRecordAgeExceeded');
      expect(failures[0]?.record.KinesisBatchInfo).toMatchObject({ startSequenceNumber: seqs[0], endSequenceNumber: seqs[1], batchSize: 2 });
      // Retried (maximumRetryAttempts -1) only until the records were too old.
      const invocations = await fixture.invocations();
      expect(invocations.length).toBeGreaterThan(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await fixture.invocations()).toHaveLength(invocations.length);
    } finally {
      await trigger.stop();
    }
  });
});
