import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerlessModel } from '../../../local/loadServerlessModel.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
let template: { Resources: Record<string, Resource> };
let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'eddy-package-'));
  // No AWS credentials at all: packaging must work offline.
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'eddy-no-such-profile', SLS_TELEMETRY_DISABLED: '1' };
  await promisify(execFile)('node_modules/.bin/serverless', ['package', '--stage', 'pkgtest', '--package', outDir], { env, timeout: 120_000 });
  template = JSON.parse(await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as typeof template;
}, 180_000);

afterAll(() => rm(outDir, { recursive: true, force: true }));

const ofType = (type: string): Resource[] => Object.values(template.Resources).filter((resource) => resource.Type === type);

describe('serverless.yml: serverless package (offline, no credentials)', () => {
  it('declares the four streams on demand with KMS encryption', () => {
    const streams = ofType('AWS::Kinesis::Stream');
    expect(streams.map((s) => s.Properties.Name).sort()).toEqual(['eddy-pkgtest-aggregates', 'eddy-pkgtest-clean', 'eddy-pkgtest-enriched', 'eddy-pkgtest-oceanus', 'eddy-pkgtest-raw']);
    for (const stream of streams) {
      expect(stream.Properties.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
      expect(stream.Properties.StreamEncryption).toMatchObject({ EncryptionType: 'KMS' });
    }
  });

  it('declares on-demand, encrypted tables, the products table keyed by product_cd, TTL where state expires', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    for (const table of tables) {
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true });
    }
    const products = tables.find((t) => t.Properties.TableName === 'eddy-pkgtest-products');
    expect(products?.Properties.KeySchema).toEqual([{ AttributeName: 'product_cd', KeyType: 'HASH' }]);
    expect(tables.filter((t) => t.Properties.TimeToLiveSpecification).length).toBe(2);
  });

  it('blocks public access to the bucket, encrypts it, and denies plain HTTP', () => {
    const bucket = template.Resources.DataBucket;
    expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(JSON.stringify(bucket?.Properties.BucketEncryption)).toContain('aws:kms');
    const policy = template.Resources.DataBucketPolicy;
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it('maps the raw stream to enrich, the enriched stream to dedupe, the clean stream to aggregate and the raw writer, and each writer\'s stream to it, with the trigger settings of serverless.yml', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.map((m) => (m.Properties.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).sort()).toEqual(['AggregatesStream', 'CleanStream', 'CleanStream', 'EnrichedStream', 'OceanusStream', 'RawStream']);
    const aggregate = mappings.find((m) => JSON.stringify(m.Properties.FunctionName).includes('AggregateLambdaFunction'));
    // One invocation per shard at a time: the aggregate stage's clocks and checkpoints rely on order.
    expect(aggregate?.Properties).toMatchObject({ BatchSize: 1000, ParallelizationFactor: 1, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 5 });
    // The writers too: each shard's checkpoint and open files assume one invocation at a time.
    const writers = mappings.filter((m) => JSON.stringify(m.Properties.FunctionName).includes('WriterLambdaFunction'));
    expect(writers).toHaveLength(3);
    for (const writer of writers) expect(writer.Properties).toMatchObject({ ParallelizationFactor: 1, BisectBatchOnFunctionError: true });
    const mapping = mappings.find((m) => JSON.stringify(m.Properties.EventSourceArn).includes('RawStream'));
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 1,
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 86400,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: 'arn:aws:s3:::eddy-pkgtest-data' } },
      EventSourceArn: { 'Fn::GetAtt': ['RawStream', 'Arn'] },
    });
  });

  it('gives every function its own role whose actions are scoped (no action wildcards)', () => {
    for (const fn of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const role = template.Resources[roleId];
      const statements = JSON.stringify(role?.Properties.Policies);
      expect(statements).not.toMatch(/"Action":\s*"\*"|"[a-z0-9]+:\*"/);
    }
  });

  it('sweeps each writer every minute, and expires staged writer data and incomplete multipart uploads', () => {
    const rules = ofType('AWS::Events::Rule');
    expect(rules.map((rule) => rule.Properties.ScheduleExpression)).toEqual(['rate(1 minute)', 'rate(1 minute)', 'rate(1 minute)']);
    const bucket = ofType('AWS::S3::Bucket').find((candidate) => candidate.Properties.LifecycleConfiguration !== undefined);
    const lifecycle = (bucket?.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(lifecycle).toEqual([
      { Id: 'ExpireStagedWriterData', Status: 'Enabled', Prefix: '_eddy/in-progress/', ExpirationInDays: 2 },
      { Id: 'AbortIncompleteUploads', Status: 'Enabled', Prefix: 'data/', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
    ]);
  });

  it('lets dedupe read the clean stream (to find what an earlier attempt put) and nothing more of it than put and read', () => {
    type Statement = { Sid: string; Action: string | string[]; Resource: unknown };
    const policies = template.Resources.DedupeRole?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
    const statements = policies.flatMap((policy) => policy.PolicyDocument.Statement);
    const onClean = statements.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': ['CleanStream', 'Arn'] }));
    const actions = onClean.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action])).sort();
    expect(actions).toEqual(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords']);
    const reads = statements.filter((statement) => [statement.Action].flat().some((action) => ['kinesis:GetRecords', 'kinesis:GetShardIterator'].includes(action)));
    expect(reads.map((statement) => JSON.stringify(statement.Resource)).sort()).toEqual([JSON.stringify({ 'Fn::GetAtt': ['CleanStream', 'Arn'] }), JSON.stringify({ 'Fn::GetAtt': ['EnrichedStream', 'Arn'] })].sort());
  });

  it('is what the local model reads: the same streams, tables, bucket and stream settings', async () => {
    const model = await loadServerlessModel({ stage: 'pkgtest' });
    expect(model.streams.map((s) => s.name).sort()).toEqual(ofType('AWS::Kinesis::Stream').map((s) => s.Properties.Name).sort());
    expect(model.tables.map((t) => t.name).sort()).toEqual(ofType('AWS::DynamoDB::Table').map((t) => t.Properties.TableName).sort());
    const enrich = model.functions.find((fn) => fn.key === 'enrich');
    expect(enrich?.streamEvents[0]).toMatchObject({ streamName: 'eddy-pkgtest-raw', batchSize: 500, batchWindowSeconds: 1, bisectBatchOnFunctionError: true, reportBatchItemFailures: true, maximumRetryAttempts: 5, onFailure: { type: 's3', bucket: 'eddy-pkgtest-data' } });
    expect(enrich?.environment).toMatchObject({ PRODUCTS_TABLE: 'eddy-pkgtest-products', OUTPUT_STREAM: 'eddy-pkgtest-enriched', EDDY_STAGE: 'pkgtest' });
  });
});
