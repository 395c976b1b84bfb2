import type { KinesisClient, PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';

/** What a fake PutRecords call received. */
export interface FakeCall {
  readonly keys: string[];
  readonly data: string[];
}

/**
 * A fake Kinesis client for PutRecords: `decide(data, attempt)` returns an entry ErrorCode (or
 * undefined for success); `throwOnCall(n)` returns an error to throw for the n-th call.
 */
export function fakeKinesis(options: { decide?: (data: string, callIndex: number) => string | undefined; throwOnCall?: (callIndex: number) => Error | undefined } = {}): { client: KinesisClient; calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const client = {
    send: async (command: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
      const index = calls.length;
      const entries = command.input.Records ?? [];
      const data = entries.map((entry) => Buffer.from(entry.Data ?? new Uint8Array()).toString('utf8'));
      calls.push({ keys: entries.map((entry) => entry.PartitionKey ?? ''), data });
      const thrown = options.throwOnCall?.(index);
      if (thrown) throw thrown;
      const results = data.map((text, position) => {
        const code = options.decide?.(text, index);
        return code ? { ErrorCode: code, ErrorMessage: 'Rate exceeded for shard' } : { SequenceNumber: `${index}-${position}`, ShardId: 'shardId-000000000000' };
      });
      return { FailedRecordCount: results.filter((result) => 'ErrorCode' in result).length, Records: results, $metadata: {} };
    },
  };
  return { client: client as unknown as KinesisClient, calls };
}

/** An error as the SDK throws it: the name is the service's error code. */
export function serviceError(name: string): Error {
  const error = new Error(name);
  error.name = name;
  return error;
}

/** A sleep that records delays and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}
