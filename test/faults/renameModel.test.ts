import { describe, expect, it } from 'vitest';
import type { ServerlessModel } from '../../local/serverlessModel.js';
import { renameModel } from './renameModel.js';

const arn = (name: string): string => `arn:aws:kinesis:ap-northeast-2:000000000000:stream/${name}`;

const model: ServerlessModel = {
  service: 'eddy',
  stage: 'faults',
  region: 'ap-northeast-2',
  accountId: '000000000000',
  streams: [
    { logicalId: 'RawStream', name: 'eddy-faults-raw', shardCount: 2, retentionHours: 24 },
    { logicalId: 'EnrichedStream', name: 'eddy-faults-enriched', shardCount: 2, retentionHours: 24 },
  ],
  tables: [
    { logicalId: 'ProductsTable', name: 'eddy-faults-products', keySchema: [{ AttributeName: 'product_cd', KeyType: 'HASH' }], attributeDefinitions: [{ AttributeName: 'product_cd', AttributeType: 'S' }] },
    { logicalId: 'DedupeTable', name: 'eddy-faults-dedupe', keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] },
  ],
  buckets: [{ logicalId: 'DataBucket', name: 'eddy-faults-data' }],
  functions: [
    {
      key: 'enrich',
      name: 'eddy-faults-enrich',
      handler: 'functions/enrich.handler',
      timeoutSeconds: 60,
      memorySize: 1024,
      environment: { PRODUCTS_TABLE: 'eddy-faults-products', OUTPUT_STREAM: 'eddy-faults-enriched', ERROR_BUCKET: 'eddy-faults-data', ERROR_PREFIX: 'data/stream_error_data/', SEEN: 'eddy-faults-dedupe' },
      schedules: [],
      httpEvents: [],
      streamEvents: [
        {
          streamName: 'eddy-faults-raw',
          streamArn: arn('eddy-faults-raw'),
          batchSize: 500,
          batchWindowSeconds: 1,
          startingPosition: 'TRIM_HORIZON',
          parallelizationFactor: 1,
          maximumRetryAttempts: 5,
          maximumRecordAgeInSeconds: 86_400,
          bisectBatchOnFunctionError: true,
          reportBatchItemFailures: true,
          enabled: true,
          onFailure: { type: 's3', arn: 'arn:aws:s3:::eddy-faults-data', bucket: 'eddy-faults-data' },
        },
      ],
    },
  ],
};

describe('Faults: renameModel', () => {
  it('suffixes every stream, table and bucket and every reference to them, except the kept ones', () => {
    const renamed = renameModel(model, 's7', { keep: ['ProductsTable'] });
    expect(renamed.streams.map((stream) => stream.name)).toEqual(['eddy-faults-raw-s7', 'eddy-faults-enriched-s7']);
    expect(renamed.tables.map((table) => table.name)).toEqual(['eddy-faults-products', 'eddy-faults-dedupe-s7']);
    expect(renamed.buckets.map((bucket) => bucket.name)).toEqual(['eddy-faults-data-s7']);
    const [fn] = renamed.functions;
    expect(fn?.name).toBe('eddy-faults-enrich-s7');
    expect(fn?.environment).toEqual({ PRODUCTS_TABLE: 'eddy-faults-products', OUTPUT_STREAM: 'eddy-faults-enriched-s7', ERROR_BUCKET: 'eddy-faults-data-s7', ERROR_PREFIX: 'data/stream_error_data/', SEEN: 'eddy-faults-dedupe-s7' });
    expect(fn?.streamEvents[0]).toMatchObject({
      streamName: 'eddy-faults-raw-s7',
      streamArn: arn('eddy-faults-raw-s7'),
      onFailure: { type: 's3', arn: 'arn:aws:s3:::eddy-faults-data-s7', bucket: 'eddy-faults-data-s7' },
    });
  });

  it('leaves the original model untouched', () => {
    renameModel(model, 'x');
    expect(model.streams[0]?.name).toBe('eddy-faults-raw');
    expect(model.functions[0]?.environment.OUTPUT_STREAM).toBe('eddy-faults-enriched');
  });
});
