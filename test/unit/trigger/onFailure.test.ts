import { describe, expect, it } from 'vitest';
import { failureObjectKey, failureRecord, mappingUuid } from '../../../local/trigger/onFailure.js';

describe('Trigger: on-failure record', () => {
  it('names the S3 object as Lambda does', () => {
    const key = failureObjectKey('0b7f4a2e-1c2d-5e3f-a456-0123456789ab', 'shardId-000000000003', new Date('2024-03-05T07:08:09.123Z'));
    expect(key).toMatch(/^aws\/lambda\/0b7f4a2e-1c2d-5e3f-a456-0123456789ab\/shardId-000000000003\/2024\/03\/05\/2024-03-05T07\.08\.09-[0-9a-f-]{36}$/);
  });

  it('keeps the mapping id stable for a function and stream', () => {
    expect(mappingUuid('fn', 'stream')).toBe(mappingUuid('fn', 'stream'));
    expect(mappingUuid('fn', 'stream')).not.toBe(mappingUuid('fn', 'other'));
    expect(mappingUuid('fn', 'stream')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('describes the discarded batch with KinesisBatchInfo and the payload', () => {
    const records = [
      { SequenceNumber: '10', PartitionKey: 'a', Data: 'AQ==', ApproximateArrivalTimestamp: Date.parse('2024-01-01T00:00:00.000Z') / 1000 },
      { SequenceNumber: '12', PartitionKey: 'a', Data: 'Ag==', ApproximateArrivalTimestamp: Date.parse('2024-01-01T00:00:01.500Z') / 1000 },
    ];
    const record = failureRecord({
      records,
      shardId: 'shardId-000000000000',
      streamArn: 'arn:aws:kinesis:ap-northeast-2:000000000000:stream/s',
      functionArn: 'arn:aws:lambda:ap-northeast-2:000000000000:function:f',
      condition: 'RetryAttemptsExhausted',
      invokeCount: 3,
      error: { errorType: 'Error', errorMessage: 'boom' },
      payload: { Records: [] },
      now: new Date('2024-01-02T00:00:00.000Z'),
    });
    expect(record).toEqual({
      requestContext: { requestId: expect.any(String), functionArn: 'arn:aws:lambda:ap-northeast-2:000000000000:function:f', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2024-01-02T00:00:00.000Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: '10',
        endSequenceNumber: '12',
        approximateArrivalOfFirstRecord: '2024-01-01T00:00:00.000Z',
        approximateArrivalOfLastRecord: '2024-01-01T00:00:01.500Z',
        batchSize: 2,
        streamArn: 'arn:aws:kinesis:ap-northeast-2:000000000000:stream/s',
      },
      payload: '{"Records":[]}',
    });
  });
});
