import { ConfigError } from '../shared/errors.js';

/**
 * What the local stack and the local trigger need from `serverless print --format json`:
 * the streams, tables and buckets declared under `resources`, and each function's handler,
 * environment and `stream` events, with CloudFormation intrinsics resolved to local values.
 */

/** A Kinesis stream declared in serverless.yml. */
export interface StreamResource {
  readonly logicalId: string;
  readonly name: string;
  readonly shardCount: number;
  readonly retentionHours: number;
}

/** A DynamoDB table declared in serverless.yml, as CreateTable input. */
export interface TableResource {
  readonly logicalId: string;
  readonly name: string;
  readonly keySchema: readonly { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  readonly attributeDefinitions: readonly { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  readonly globalSecondaryIndexes?: readonly Record<string, unknown>[];
  readonly ttlAttribute?: string;
}

/** An S3 bucket declared in serverless.yml. */
export interface BucketResource {
  readonly logicalId: string;
  readonly name: string;
}

/** The on-failure destination of a stream event. */
export interface OnFailureDestination {
  readonly type: 's3' | 'sqs' | 'sns';
  readonly arn: string;
  /** Bucket name, for an S3 destination. */
  readonly bucket?: string;
}

/** A function's `stream` event with Lambda's defaults filled in. */
export interface StreamEventSettings {
  readonly streamName: string;
  readonly streamArn: string;
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';
  readonly startingPositionTimestamp?: number;
  readonly parallelizationFactor: number;
  /** -1 retries until the record expires (Lambda's default). */
  readonly maximumRetryAttempts: number;
  /** -1 never discards by age (Lambda's default). */
  readonly maximumRecordAgeInSeconds: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly reportBatchItemFailures: boolean;
  readonly enabled: boolean;
  readonly onFailure?: OnFailureDestination;
}

/** A function as the local runner runs it. */
export interface FunctionModel {
  /** Key under `functions:` in serverless.yml. */
  readonly key: string;
  /** Deployed name, e.g. `eddy-dev-enrich`. */
  readonly name: string;
  /** `functions/enrich.handler` → module `functions/enrich.ts`, export `handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** provider.environment merged with the function's, intrinsics resolved. */
  readonly environment: Readonly<Record<string, string>>;
  readonly streamEvents: readonly StreamEventSettings[];
  /** Its `schedule: rate(…)` events, as intervals in ms. */
  readonly schedules: readonly number[];
  /** Its `http` events (API Gateway REST): what `eddy demo` serves locally. */
  readonly httpEvents: readonly HttpEventSettings[];
}

/** An `http` event of a function: an API Gateway (REST) route. */
export interface HttpEventSettings {
  /** Upper case, e.g. `GET`. */
  readonly method: string;
  /** The resource path with a leading slash and path parameters in braces: `/api/results/{query}`. */
  readonly path: string;
  /** Whether API Gateway requires the API key (`private: true`). */
  readonly private: boolean;
}

/** The local view of serverless.yml. */
export interface ServerlessModel {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
  readonly streams: readonly StreamResource[];
  readonly tables: readonly TableResource[];
  readonly buckets: readonly BucketResource[];
  readonly functions: readonly FunctionModel[];
}

/** The account id the local emulators report (kinesalite's default). */
export const LOCAL_ACCOUNT_ID = '000000000000';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Options of {@link buildServerlessModel}. */
export interface BuildOptions {
  /**
   * Shards to give every stream locally, whatever serverless.yml says (tests and replays).
   * @default a provisioned stream's ShardCount; for an on-demand stream custom.eddy.localShards, else 4
   */
  readonly localShards?: number;
}

/**
 * Builds the local model from the resolved configuration that `serverless print --format json`
 * prints. Pure: the caller runs `serverless print` (see `loadServerlessModel`).
 * @param printed - the parsed JSON of `serverless print --format json`
 */
export function buildServerlessModel(printed: unknown, options: BuildOptions = {}): ServerlessModel {
  if (!isObject(printed)) throw new ConfigError('serverless.yml', 'serverless print did not return an object');
  const provider = isObject(printed.provider) ? printed.provider : {};
  const stage = String(provider.stage ?? 'dev');
  const region = String(provider.region ?? 'us-east-1');
  const service = typeof printed.service === 'string' ? printed.service : isObject(printed.service) ? String(printed.service.name) : 'service';
  const resources = isObject(printed.resources) && isObject(printed.resources.Resources) ? printed.resources.Resources : {};
  const custom = isObject(printed.custom) ? printed.custom : {};
  const eddy = isObject(custom.eddy) ? custom.eddy : {};
  const onDemandShards = options.localShards ?? (typeof eddy.localShards === 'number' ? eddy.localShards : 4);
  const context: IntrinsicContext = { resources, region, accountId: LOCAL_ACCOUNT_ID };

  const streams: StreamResource[] = [];
  const tables: TableResource[] = [];
  const buckets: BucketResource[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || !isObject(resource.Properties ?? {})) continue;
    const props = (resource.Properties ?? {}) as JsonObject;
    if (resource.Type === 'AWS::Kinesis::Stream') {
      const onDemand = isObject(props.StreamModeDetails) && props.StreamModeDetails.StreamMode === 'ON_DEMAND';
      streams.push({
        logicalId,
        name: physicalName(logicalId, resource, context),
        shardCount: options.localShards ?? (onDemand || typeof props.ShardCount !== 'number' ? onDemandShards : props.ShardCount),
        retentionHours: typeof props.RetentionPeriodHours === 'number' ? props.RetentionPeriodHours : 24,
      });
    } else if (resource.Type === 'AWS::DynamoDB::Table') {
      const ttl = isObject(props.TimeToLiveSpecification) && props.TimeToLiveSpecification.Enabled === true ? String(props.TimeToLiveSpecification.AttributeName) : undefined;
      tables.push({
        logicalId,
        name: physicalName(logicalId, resource, context),
        keySchema: props.KeySchema as unknown as TableResource['keySchema'],
        attributeDefinitions: props.AttributeDefinitions as unknown as TableResource['attributeDefinitions'],
        ...(Array.isArray(props.GlobalSecondaryIndexes) ? { globalSecondaryIndexes: props.GlobalSecondaryIndexes as JsonObject[] } : {}),
        ...(ttl ? { ttlAttribute: ttl } : {}),
      });
    } else if (resource.Type === 'AWS::S3::Bucket') {
      buckets.push({ logicalId, name: physicalName(logicalId, resource, context) });
    }
  }

  const providerEnv = isObject(provider.environment) ? provider.environment : {};
  const functions: FunctionModel[] = Object.entries(isObject(printed.functions) ? printed.functions : {}).map(([key, fn]) => {
    if (!isObject(fn) || typeof fn.handler !== 'string') throw new ConfigError(`functions.${key}.handler`, 'a handler is required');
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...providerEnv, ...(isObject(fn.environment) ? fn.environment : {}) })) {
      environment[name] = String(resolveIntrinsic(value, context));
    }
    const events = Array.isArray(fn.events) ? fn.events : [];
    const streamEvents = events.flatMap((event, index) =>
      isObject(event) && event.stream !== undefined ? [streamEventSettings(event.stream, `functions.${key}.events[${index}].stream`, context)] : [],
    );
    const schedules = events.flatMap((event, index) => (isObject(event) && event.schedule !== undefined ? [scheduleInterval(event.schedule, `functions.${key}.events[${index}].schedule`)] : []));
    const httpEvents = events.flatMap((event, index) => (isObject(event) && event.http !== undefined ? [httpEventSettings(event.http, `functions.${key}.events[${index}].http`)] : []));
    return {
      key,
      name: typeof fn.name === 'string' ? fn.name : `${service}-${stage}-${key}`,
      handler: fn.handler,
      timeoutSeconds: numberOr(fn.timeout, numberOr(provider.timeout, 6)),
      memorySize: numberOr(fn.memorySize, numberOr(provider.memorySize, 1024)),
      environment,
      streamEvents,
      schedules,
      httpEvents,
    };
  });
  return { service, stage, region, accountId: LOCAL_ACCOUNT_ID, streams, tables, buckets, functions };
}

/** An `http` event, in its object form (`{ path, method, private }`) or its `GET /path` shorthand. */
function httpEventSettings(event: unknown, path: string): HttpEventSettings {
  const shorthand = typeof event === 'string' ? /^(\S+)\s+(\S+)$/.exec(event) : null;
  const settings: JsonObject | undefined = isObject(event) ? event : shorthand ? { method: shorthand[1] ?? '', path: shorthand[2] ?? '' } : undefined;
  if (settings === undefined || typeof settings.path !== 'string' || typeof settings.method !== 'string') throw new ConfigError(path, 'expected { path, method } or "METHOD /path"');
  return { method: settings.method.toUpperCase(), path: `/${settings.path.replace(/^\/+/, '')}`, private: settings.private === true };
}

const RATE_UNITS: Readonly<Record<string, number>> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** The interval of a `schedule: rate(5 minutes)` event (EventBridge's rate expressions); cron expressions do not run locally. */
function scheduleInterval(raw: Json, path: string): number {
  const expression = typeof raw === 'string' ? raw : isObject(raw) && Array.isArray(raw.rate) ? String(raw.rate[0]) : isObject(raw) ? String(raw.rate ?? '') : '';
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (match === null) throw new ConfigError(path, `only rate(N minutes|hours|days) schedules run locally, got '${expression}'`);
  return Number(match[1]) * (RATE_UNITS[match[2] as string] as number);
}

const numberOr = (value: Json | undefined, fallback: number): number => (typeof value === 'number' ? value : fallback);

function streamEventSettings(raw: Json, path: string, context: IntrinsicContext): StreamEventSettings {
  const event: JsonObject = typeof raw === 'string' ? { arn: raw } : isObject(raw) ? raw : {};
  if (event.type !== undefined && event.type !== 'kinesis') throw new ConfigError(`${path}.type`, `only kinesis streams run locally, got '${String(event.type)}'`);
  const streamArn = String(resolveIntrinsic(event.arn ?? null, context));
  const streamName = streamArn.split(':stream/')[1];
  if (!streamName) throw new ConfigError(`${path}.arn`, `expected a Kinesis stream ARN, got '${streamArn}'`);
  const startingPosition = (event.startingPosition ?? 'TRIM_HORIZON') as StreamEventSettings['startingPosition'];
  if (!['LATEST', 'TRIM_HORIZON', 'AT_TIMESTAMP'].includes(startingPosition)) throw new ConfigError(`${path}.startingPosition`, `unknown '${String(startingPosition)}'`);
  const destinations = isObject(event.destinations) ? event.destinations : undefined;
  return {
    streamName,
    streamArn,
    batchSize: numberOr(event.batchSize, 100),
    batchWindowSeconds: numberOr(event.batchWindow, 0),
    startingPosition,
    ...(typeof event.startingPositionTimestamp === 'number' ? { startingPositionTimestamp: event.startingPositionTimestamp } : {}),
    parallelizationFactor: numberOr(event.parallelizationFactor, 1),
    maximumRetryAttempts: numberOr(event.maximumRetryAttempts, -1),
    maximumRecordAgeInSeconds: numberOr(event.maximumRecordAgeInSeconds, -1),
    bisectBatchOnFunctionError: event.bisectBatchOnFunctionError === true,
    reportBatchItemFailures: event.functionResponseType === 'ReportBatchItemFailures',
    enabled: event.enabled !== false,
    ...(destinations?.onFailure !== undefined ? { onFailure: onFailureDestination(destinations.onFailure, context) } : {}),
  };
}

function onFailureDestination(raw: Json, context: IntrinsicContext): OnFailureDestination {
  const arn = String(resolveIntrinsic(isObject(raw) ? (raw.arn ?? null) : raw, context));
  const service = arn.split(':')[2];
  const type = (isObject(raw) && typeof raw.type === 'string' ? raw.type : service) as OnFailureDestination['type'];
  return type === 's3' ? { type, arn, bucket: arn.split(':::')[1] ?? '' } : { type, arn };
}

interface IntrinsicContext {
  readonly resources: JsonObject;
  readonly region: string;
  readonly accountId: string;
}

const NAME_PROPERTY: Record<string, string> = {
  'AWS::Kinesis::Stream': 'Name',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
};

function physicalName(logicalId: string, resource: JsonObject, context: IntrinsicContext): string {
  const property = NAME_PROPERTY[String(resource.Type)];
  const props = isObject(resource.Properties) ? resource.Properties : {};
  const name = property ? props[property] : undefined;
  if (name === undefined) throw new ConfigError(`resources.${logicalId}.Properties.${property ?? 'Name'}`, 'the local stack needs an explicit name');
  return String(resolveIntrinsic(name, context));
}

function arnOf(logicalId: string, context: IntrinsicContext): string {
  const resource = context.resources[logicalId];
  if (!isObject(resource)) throw new ConfigError(`Fn::GetAtt ${logicalId}`, 'no such resource');
  const name = NAME_PROPERTY[String(resource.Type)] ? physicalName(logicalId, resource, context) : logicalId;
  const { region, accountId } = context;
  const arns: Record<string, string> = {
    'AWS::Kinesis::Stream': `arn:aws:kinesis:${region}:${accountId}:stream/${name}`,
    'AWS::DynamoDB::Table': `arn:aws:dynamodb:${region}:${accountId}:table/${name}`,
    'AWS::S3::Bucket': `arn:aws:s3:::${name}`,
  };
  return arns[String(resource.Type)] ?? `arn:aws:local:${region}:${accountId}:${logicalId}`;
}

/** Resolves Ref, Fn::GetAtt (Arn), Fn::Sub and Fn::Join to the local stack's values. */
export function resolveIntrinsic(value: Json, context: IntrinsicContext): Json {
  if (!isObject(value)) return value;
  if ('Ref' in value) {
    const id = String(value.Ref);
    if (id === 'AWS::Region') return context.region;
    if (id === 'AWS::AccountId') return context.accountId;
    const resource = context.resources[id];
    return isObject(resource) && NAME_PROPERTY[String(resource.Type)] ? physicalName(id, resource, context) : id;
  }
  if ('Fn::GetAtt' in value) {
    const target = value['Fn::GetAtt'];
    const [id, attribute] = Array.isArray(target) ? target.map(String) : String(target).split('.');
    if (attribute !== 'Arn' && attribute !== 'StreamArn') return `${String(id)}.${String(attribute)}`;
    return arnOf(String(id), context);
  }
  if ('Fn::Join' in value && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'];
    return (Array.isArray(parts) ? parts : []).map((part) => String(resolveIntrinsic(part, context))).join(String(separator));
  }
  if ('Fn::Sub' in value) {
    const template = Array.isArray(value['Fn::Sub']) ? String(value['Fn::Sub'][0]) : String(value['Fn::Sub']);
    return template.replace(/\$\{([^}]+)\}/g, (_, ref: string) =>
      String(ref.includes('.') ? resolveIntrinsic({ 'Fn::GetAtt': ref }, context) : resolveIntrinsic({ Ref: ref }, context)),
    );
  }
  return value;
}
