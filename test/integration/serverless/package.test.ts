import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadServerlessModel, printServerless } from '../../../local/loadServerlessModel.js';
import type { StageReport } from '../../../shared/stage/createKinesisStage.js';
import { createObservedHandler } from '../../../shared/stage/stageHandler.js';
import { lambdaContext } from '../../helpers/lambdaContext.js';

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
  it('declares the five streams provisioned with one shard each (params.shards) and KMS encryption', () => {
    const streams = ofType('AWS::Kinesis::Stream');
    expect(streams.map((s) => s.Properties.Name).sort()).toEqual(['eddy-pkgtest-aggregates', 'eddy-pkgtest-clean', 'eddy-pkgtest-enriched', 'eddy-pkgtest-oceanus', 'eddy-pkgtest-raw']);
    for (const stream of streams) {
      expect(stream.Properties.StreamModeDetails).toEqual({ StreamMode: 'PROVISIONED' });
      expect(stream.Properties.ShardCount).toBe(1);
      expect(stream.Properties.StreamEncryption).toMatchObject({ EncryptionType: 'KMS' });
    }
  });

  it('serves the dashboard through API Gateway: the page open, the /api routes behind the stage\'s API key and a throttled usage plan', () => {
    const methods = ofType('AWS::ApiGateway::Method').map((m) => ({ key: m.Properties.ApiKeyRequired === true, method: m.Properties.HttpMethod, resource: JSON.stringify(m.Properties.ResourceId) }));
    expect(methods).toHaveLength(4);
    expect(methods.filter((m) => m.key).map((m) => m.resource).sort()).toEqual([expect.stringContaining('ApiGatewayResourceApiDashboard'), expect.stringContaining('ApiGatewayResourceApiResultsQueryVar')]);
    expect(methods.every((m) => m.method === 'GET')).toBe(true);
    expect(ofType('AWS::ApiGateway::ApiKey').map((k) => k.Properties.Name)).toEqual(['eddy-pkgtest-dashboard']);
    expect(ofType('AWS::ApiGateway::UsagePlan')[0]?.Properties.Throttle).toEqual({ RateLimit: 20, BurstLimit: 40 });
    expect(template.Resources.DashboardErrorsAlarm?.Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'DashboardLambdaFunction' } }], AlarmActions: [{ Ref: 'AlarmTopic' }] });
  });

  it('ships the built dashboard page in the dashboard function\'s package', async () => {
    const { stdout } = await promisify(execFile)('unzip', ['-l', join(outDir, 'dashboard.zip')]);
    for (const file of ['dashboard/dist/index.html', 'dashboard/dist/app.js', 'dashboard/dist/style.css', 'functions/dashboard.cjs']) expect(stdout).toContain(file);
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

  it('lets another shard take over a window firing only once its claimer has timed out (FIRING_TIMEOUT_SECONDS above the aggregate timeout)', () => {
    const aggregate = ofType('AWS::Lambda::Function').find((fn) => fn.Properties.FunctionName === 'eddy-pkgtest-aggregate');
    const firingTimeout = Number((aggregate?.Properties.Environment as { Variables: Record<string, string> }).Variables.FIRING_TIMEOUT_SECONDS);
    // A claimer still running when taken over would publish rows side by side with the taker: twice on the stream.
    expect(firingTimeout).toBeGreaterThan(aggregate?.Properties.Timeout as number);
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

type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Resource: unknown; Condition?: unknown };
type PolicyDocument = { Statement: Statement[] };
type StreamEvent = {
  arn: unknown;
  batchSize: number;
  batchWindow: number;
  startingPosition: string;
  parallelizationFactor: number;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  functionResponseType: string;
  destinations: { onFailure: string };
};
type PrintedConfig = { functions: Record<string, { handler: string; events: { stream?: StreamEvent }[] }> };
/** One CloudWatch EMF document as a stage logs it. */
type Emf = { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;

/**
 * Actions that IAM cannot scope to a resource, the only ones a role may grant on `*`, each with
 * why the role needs it. Anything else on `*` fails the test.
 */
const UNSCOPABLE_ACTIONS: Readonly<Record<string, string>> = {
  // Lambda's Kinesis event source mapping needs it on the function's execution role
  // (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html), and ListStreams has no
  // resource type in the Service Authorization Reference: it can only be granted on `*`.
  'kinesis:ListStreams': 'required by the Kinesis event source mapping; no resource type',
};

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const statementsOf = (role: Resource | undefined): Statement[] => (role?.Properties.Policies as { PolicyDocument: PolicyDocument }[]).flatMap((policy) => policy.PolicyDocument.Statement);
/** The logical id a `Ref` / `Fn::GetAtt` / `Fn::Sub` resource names, if it names one of this template. */
const referencedIds = (resource: unknown): string[] => {
  const json = JSON.stringify(resource);
  return Object.keys(template.Resources).filter((id) => json.includes(`{"Ref":"${id}"}`) || json.includes(`{"Fn::GetAtt":["${id}",`) || json.includes(`\${${id}.`) || json.includes(`\${${id}}`));
};
const functionIdOf = (mapping: Resource): string => (mapping.Properties.FunctionName as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
const logicalIdOf = (functionKey: string): string => `${functionKey[0]?.toUpperCase()}${functionKey.slice(1)}LambdaFunction`;
const alarms = (): Resource[] => ofType('AWS::CloudWatch::Alarm');

/** The metrics' `service` of a function: the stage name its handler file gives createObservedHandler / createStageHandler. */
async function serviceOf(handler: string): Promise<string> {
  const source = await readFile(`${handler.slice(0, handler.lastIndexOf('.'))}.ts`, 'utf8');
  const match = /createObservedHandler\('([^']+)'/.exec(source) ?? /createStageHandler\(\{\s*stage:\s*'([^']+)'/.exec(source);
  if (match?.[1] === undefined) throw new Error(`no stage name in ${handler}`);
  return match[1];
}

/** The EMF documents a stage handler prints for one invocation that reports `report`. */
async function emittedMetrics(service: string, report: StageReport): Promise<Emf[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const handler = createObservedHandler(service, (publish) => () => {
      publish(report);
      return Promise.resolve({ batchItemFailures: [] });
    });
    await handler({ Records: [] } as KinesisStreamEvent, lambdaContext());
  } finally {
    write.mockRestore();
  }
  return lines.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Emf);
}

describe('serverless.yml: least privilege, encryption and alarms of the deployed stack', () => {
  it('gives every function a role of its own, assumable by Lambda only, with no managed policies', () => {
    const functions = ofType('AWS::Lambda::Function');
    const roleIds = functions.map((fn) => (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
    expect(new Set(roleIds).size).toBe(functions.length);
    // Every role in the stack belongs to a function (Serverless added no shared default role).
    expect(Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role').map(([id]) => id).sort()).toEqual([...roleIds].sort());
    for (const id of roleIds) {
      const role = template.Resources[id as string];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role?.Properties.AssumeRolePolicyDocument).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    }
  });

  it('grants named actions only, on this stack\'s resources, `*` only for the actions IAM cannot scope', () => {
    for (const fn of ofType('AWS::Lambda::Function')) {
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
      const logGroup = `/aws/lambda/${String(fn.Properties.FunctionName)}`;
      for (const statement of statementsOf(template.Resources[roleId])) {
        const where = `${roleId} ${statement.Sid ?? '(no Sid)'}`;
        expect(statement.Effect, where).toBe('Allow');
        const actions = asList(statement.Action);
        for (const action of actions) expect(action, where).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
        for (const resource of asList(statement.Resource)) {
          if (resource === '*') {
            expect(actions.filter((action) => UNSCOPABLE_ACTIONS[action] === undefined), `${where}: actions on *`).toEqual([]);
            continue;
          }
          if (JSON.stringify(resource).includes(':log-group:')) {
            // Only its own log group's streams (Serverless creates the group).
            expect(resource, where).toEqual({ 'Fn::Sub': `arn:aws:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}:*` });
            expect(actions, where).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
            continue;
          }
          expect(referencedIds(resource), `${where}: ${JSON.stringify(resource)} names no resource of the stack`).toHaveLength(1);
          const text = JSON.stringify(resource);
          // A wildcard only ends an object prefix, and never stands for the whole bucket.
          if (text.includes('*')) expect(text, where).toMatch(/^\{"Fn::Sub":"\$\{DataBucket\.Arn\}\/[^*]+\/\*"\}$/);
        }
      }
    }
  });

  it('grants each function the DynamoDB actions its adapters call, on the table they call them on', () => {
    // The calls, by adapter: DynamoDBSeenKeyStore (PartiQL INSERT, BatchGetItem, TransactWriteItems of puts),
    // DynamoDBAggregateStateStore and DynamoDBSliceWriter (GetItem, Query, UpdateItem, puts alone and in
    // TransactWriteItems), DynamoDBResultStore (puts alone and in TransactWriteItems), DynamoDBDimensionLookup.
    const needed: Record<string, Record<string, string[]>> = {
      DedupeLambdaFunction: { DedupeTable: ['dynamodb:PartiQLInsert', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'] },
      AggregateLambdaFunction: { StateTable: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:PutItem'], ResultsTable: ['dynamodb:PutItem'] },
      EnrichLambdaFunction: { ProductsTable: ['dynamodb:Scan', 'dynamodb:BatchGetItem'] },
    };
    for (const [functionId, tables] of Object.entries(needed)) {
      const roleId = (template.Resources[functionId]?.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
      const statements = statementsOf(template.Resources[roleId]);
      for (const [table, actions] of Object.entries(tables)) {
        const granted = statements.filter((statement) => asList(statement.Resource).some((resource) => referencedIds(resource).includes(table))).flatMap((statement) => asList(statement.Action));
        expect(actions.filter((action) => !granted.includes(action)), `${functionId} on ${table}`).toEqual([]);
      }
    }
  });

  it('encrypts every stream and table with the stack\'s rotated KMS key', () => {
    expect(template.Resources.StreamKey?.Properties.EnableKeyRotation).toBe(true);
    const streams = ofType('AWS::Kinesis::Stream');
    expect(streams).toHaveLength(5);
    for (const stream of streams) expect(stream.Properties.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: { Ref: 'StreamKey' } });
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(5);
    for (const table of tables) expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { Ref: 'StreamKey' } });
  });

  it('encrypts every bucket, the data bucket with the stack\'s key, and denies plain HTTP to each', () => {
    for (const [id, bucket] of Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')) {
      expect(bucket.Properties.BucketEncryption, id).toBeDefined();
      const policy = ofType('AWS::S3::BucketPolicy').find((candidate) => JSON.stringify(candidate.Properties.Bucket) === JSON.stringify({ Ref: id }));
      const denies = (policy?.Properties.PolicyDocument as PolicyDocument | undefined)?.Statement.filter((statement) => statement.Effect === 'Deny' && statement.Principal === '*' && statement.Action === 's3:*');
      expect(denies?.map((statement) => JSON.stringify(statement.Condition)), id).toContainEqual(expect.stringMatching(/^\{"Bool":\{"aws:SecureTransport":"?false"?\}\}$/));
    }
    const data = template.Resources.DataBucket;
    expect(data?.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'StreamKey' } }, BucketKeyEnabled: true }] });
    const policy = template.Resources.DataBucketPolicy?.Properties.PolicyDocument as PolicyDocument;
    // Deny only: nothing is granted to anyone through the bucket policy, and the denial covers the bucket and every object.
    expect(policy.Statement.every((statement) => statement.Effect === 'Deny')).toBe(true);
    expect(policy.Statement[0]?.Resource).toEqual([{ 'Fn::GetAtt': ['DataBucket', 'Arn'] }, { 'Fn::Sub': '${DataBucket.Arn}/*' }]);
  });

  it('blocks every kind of public access to the data bucket and disables ACLs', () => {
    const data = template.Resources.DataBucket;
    expect(data?.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(data?.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('gives every event source mapping exactly the stream event settings of serverless.yml, as the pipeline intends them', async () => {
    const printed = (await printServerless({ stage: 'pkgtest' })) as PrintedConfig;
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    let events = 0;
    for (const [key, fn] of Object.entries(printed.functions)) {
      for (const stream of fn.events.flatMap((event) => (event.stream === undefined ? [] : [event.stream]))) {
        events += 1;
        const matching = mappings.filter((m) => functionIdOf(m) === logicalIdOf(key) && JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(stream.arn));
        expect(matching, key).toHaveLength(1);
        expect(matching[0]?.Properties, key).toEqual({
          Enabled: true,
          EventSourceArn: stream.arn,
          FunctionName: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] },
          BatchSize: stream.batchSize,
          MaximumBatchingWindowInSeconds: stream.batchWindow,
          StartingPosition: stream.startingPosition,
          ParallelizationFactor: stream.parallelizationFactor,
          MaximumRetryAttempts: stream.maximumRetryAttempts,
          MaximumRecordAgeInSeconds: stream.maximumRecordAgeInSeconds,
          BisectBatchOnFunctionError: stream.bisectBatchOnFunctionError,
          FunctionResponseTypes: [stream.functionResponseType],
          DestinationConfig: { OnFailure: { Destination: stream.destinations.onFailure } },
        });
      }
    }
    expect(mappings).toHaveLength(events);
    // What every stage relies on: one invocation per shard at a time (per-shard checkpoints and
    // clocks), poison records isolated by bisecting and partial batch responses, and what still
    // fails kept in the data bucket, never dropped, within the streams' 24 h retention.
    for (const mapping of mappings) {
      expect(mapping.Properties).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        ParallelizationFactor: 1,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 86400,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:s3:::eddy-pkgtest-data' } },
      });
    }
  });

  it('sends every alarm of the stage to one topic encrypted with the stack\'s key, which CloudWatch alone may publish to, over TLS', () => {
    const topic = template.Resources.AlarmTopic;
    expect(topic?.Properties).toMatchObject({ TopicName: 'eddy-pkgtest-alarms', KmsMasterKeyId: { Ref: 'StreamKey' } });
    const all = alarms();
    expect(all.length).toBeGreaterThan(0);
    for (const alarm of all) {
      expect(String(alarm.Properties.AlarmName)).toMatch(/^eddy-pkgtest-/);
      expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: 'AlarmTopic' }], OKActions: [{ Ref: 'AlarmTopic' }], TreatMissingData: 'notBreaching' });
    }
    // CloudWatch needs the key to publish to the encrypted topic; only for this stage's alarms.
    const sourceArn = { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:eddy-pkgtest-*' };
    const keyStatements = (template.Resources.StreamKey?.Properties.KeyPolicy as PolicyDocument).Statement;
    expect(keyStatements.find((statement) => JSON.stringify(statement.Principal) === '{"Service":"cloudwatch.amazonaws.com"}')).toEqual({
      Sid: 'CloudWatchAlarmsToEncryptedTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': sourceArn } },
    });
    const topicPolicy = ofType('AWS::SNS::TopicPolicy')[0]?.Properties.PolicyDocument as PolicyDocument;
    expect(topicPolicy.Statement.filter((statement) => statement.Effect === 'Allow')).toEqual([
      { Sid: 'CloudWatchAlarmsPublish', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: 'AlarmTopic' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': sourceArn } } },
    ]);
    expect(topicPolicy.Statement.find((statement) => statement.Effect === 'Deny')).toMatchObject({ Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    // The email subscription exists only when --param="alarmEmail=…" is given.
    expect(template.Resources.AlarmEmailSubscription).toMatchObject({ Condition: 'AlarmEmailGiven', Properties: { Protocol: 'email', TopicArn: { Ref: 'AlarmTopic' } } });
  });

  it('alarms when a stream-triggered function stays more than a minute behind its stream for 5 minutes, or fails an invocation', () => {
    const triggered = [...new Set(ofType('AWS::Lambda::EventSourceMapping').map(functionIdOf))];
    expect(triggered).toHaveLength(6);
    for (const id of triggered) {
      const on = (metric: string) => alarms().filter((alarm) => alarm.Properties.Namespace === 'AWS/Lambda' && alarm.Properties.MetricName === metric && JSON.stringify(alarm.Properties.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: id } }]));
      expect(on('IteratorAge'), id).toHaveLength(1);
      expect(on('IteratorAge')[0]?.Properties).toMatchObject({ Statistic: 'Maximum', Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 5, Threshold: 60000, ComparisonOperator: 'GreaterThanThreshold' });
      expect(on('Errors'), id).toHaveLength(1);
      expect(on('Errors')[0]?.Properties).toMatchObject({ Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
  });

  it('alarms on every stage\'s error output and failed records, on the metrics the stages actually publish', async () => {
    const printed = (await printServerless({ stage: 'pkgtest' })) as PrintedConfig;
    const services = [...new Set(await Promise.all(Object.values(printed.functions).filter((fn) => fn.events.some((event) => event.stream !== undefined)).map((fn) => serviceOf(fn.handler))))].sort();
    expect(services).toEqual(['aggregate', 'dedupe', 'enrich', 's3-writer']);
    const query = /^SELECT SUM\((\w+)\) FROM SCHEMA\((\w+), ([\w, ]+)\) WHERE service = '([^']+)'$/;
    for (const service of services) {
      const [emf] = (await emittedMetrics(service, { stage: service, in: 3, out: 1, rejected: { unknown_product: 2 }, duplicates: 0, failed: 0 })).filter((doc) => doc._aws.CloudWatchMetrics[0]?.Metrics.some((metric) => metric.Name === 'RecordsRejected'));
      const published = emf?._aws.CloudWatchMetrics[0];
      const rejected = alarms().filter((alarm) => (alarm.Properties.Metrics as { Expression?: string }[] | undefined)?.some((q) => query.exec(q.Expression ?? '')?.[4] === service));
      expect(rejected, service).toHaveLength(1);
      const [q] = rejected[0]?.Properties.Metrics as { Expression: string; Period: number; ReturnData: boolean }[];
      const [, metric, namespace, dimensions] = query.exec(q?.Expression ?? '') ?? [];
      // The query's schema is exactly the published dimension set, so it matches every reason.
      expect({ metric, namespace, dimensions: dimensions?.split(', ').sort() }).toEqual({ metric: 'RecordsRejected', namespace: published?.Namespace, dimensions: [...(published?.Dimensions[0] ?? [])].sort() });
      expect(emf?.service).toBe(service);
      expect(q).toMatchObject({ Period: 300, ReturnData: true });
      expect(rejected[0]?.Properties).toMatchObject({ EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    // Failed records (redelivered): enrich and dedupe report them; the others throw (their Errors alarms).
    for (const service of ['enrich', 'dedupe']) {
      const docs = await emittedMetrics(service, { stage: service, in: 1, out: 0, rejected: {}, duplicates: 0, failed: 1 });
      const published = docs.find((doc) => doc._aws.CloudWatchMetrics[0]?.Metrics.some((metric) => metric.Name === 'RecordsFailed'));
      const failed = alarms().filter((alarm) => alarm.Properties.MetricName === 'RecordsFailed' && JSON.stringify(alarm.Properties.Dimensions).includes(`"${service}"`));
      expect(failed, service).toHaveLength(1);
      expect(failed[0]?.Properties).toMatchObject({
        Namespace: published?._aws.CloudWatchMetrics[0]?.Namespace,
        Dimensions: published?._aws.CloudWatchMetrics[0]?.Dimensions[0]?.map((name) => ({ Name: name, Value: published[name] })),
        Statistic: 'Sum',
        Threshold: 0,
      });
    }
  });
});
