import { describe, expect, it } from 'vitest';
import { KinesisRecordSink } from '../../../shared/adapters/KinesisRecordSink.js';
import { PoisonRecordError } from '../../../shared/errors.js';
import type { OutputRecord } from '../../../shared/ports/RecordSink.js';
import { fakeKinesis, recordingSleep, serviceError } from './fakes.js';

const records = (count: number): OutputRecord[] => Array.from({ length: count }, (_, index) => ({ data: `r${index}`, partitionKey: `part-${index % 7}` }));

describe('Adapter: KinesisRecordSink', () => {
  it('sends 1,200 records in three calls of at most 500', async () => {
    const { client, calls } = fakeKinesis();
    const outcome = await new KinesisRecordSink(client, 's', { concurrency: 2 }).put(records(1200));
    expect(outcome).toEqual({ failed: [], calls: 3, retries: 0 });
    expect(calls.map(({ data }) => data.length).sort()).toEqual([200, 500, 500]);
    expect(calls.flatMap(({ data }) => data).sort()).toEqual(records(1200).map(({ data }) => data).sort());
  });

  it('sends again only the entries that failed, with backoff, until they succeed', async () => {
    // r3 and r7 are throttled on the first call, r7 again on the second.
    const { client, calls } = fakeKinesis({ decide: (data, call) => ((data === 'r3' && call === 0) || (data === 'r7' && call < 2) ? 'ProvisionedThroughputExceededException' : undefined) });
    const { sleep, delays } = recordingSleep();
    const outcome = await new KinesisRecordSink(client, 's', { sleep, random: () => 0.5 }).put(records(10));
    expect(outcome).toEqual({ failed: [], calls: 3, retries: 3 });
    expect(calls.map(({ data }) => data)).toEqual([records(10).map(({ data }) => data), ['r3', 'r7'], ['r7']]);
    expect(calls[1]?.keys).toEqual(['part-3', 'part-0']);
    expect(delays).toEqual([50, 100]); // full jitter at 0.5 of 100 and 200 ms ceilings
  });

  it('reports entries that fail every attempt as failed indexes instead of dropping them', async () => {
    const { client, calls } = fakeKinesis({ decide: (data) => (data === 'r2' || data === 'r600' ? 'InternalFailure' : undefined) });
    const { sleep } = recordingSleep();
    const outcome = await new KinesisRecordSink(client, 's', { sleep, maxAttempts: 4 }).put(records(700));
    expect(outcome.failed).toEqual([2, 600]);
    expect(outcome.calls).toBe(2 + 3 * 2);
    expect(calls.slice(2).every(({ data }) => data.length === 1)).toBe(true);
  });

  it('retries a whole call the SDK threw as throttled, and throws anything else', async () => {
    const throttled = fakeKinesis({ throwOnCall: (call) => (call === 0 ? serviceError('LimitExceededException') : undefined) });
    const { sleep } = recordingSleep();
    expect(await new KinesisRecordSink(throttled.client, 's', { sleep }).put(records(5))).toEqual({ failed: [], calls: 2, retries: 5 });
    expect(throttled.calls[1]?.data).toEqual(records(5).map(({ data }) => data));

    const broken = fakeKinesis({ throwOnCall: () => serviceError('ResourceNotFoundException') });
    await expect(new KinesisRecordSink(broken.client, 's', { sleep }).put(records(5))).rejects.toThrow('ResourceNotFoundException');
  });

  it('rejects a record over 1 MiB before sending anything', async () => {
    const { client, calls } = fakeKinesis();
    const input = [...records(3), { data: 'x'.repeat(1024 * 1024), partitionKey: 'k' }];
    await expect(new KinesisRecordSink(client, 's').put(input)).rejects.toBeInstanceOf(PoisonRecordError);
    expect(calls).toHaveLength(0);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const { client } = fakeKinesis();
    const slow = {
      send: async (command: Parameters<typeof client.send>[0]) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return client.send(command);
      },
    } as unknown as typeof client;
    const outcome = await new KinesisRecordSink(slow, 's', { concurrency: 3 }).put(records(5000));
    expect(outcome.calls).toBe(10);
    expect(peak).toBe(3);
  });
});
