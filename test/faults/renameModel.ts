import type { FunctionModel, ServerlessModel, StreamEventSettings } from '../../local/serverlessModel.js';

/** Options of {@link renameModel}. */
export interface RenameOptions {
  /** Logical ids of resources that keep their name (shared by every copy, e.g. `ProductsTable`). @default [] */
  readonly keep?: readonly string[];
}

/**
 * Rewrites a value that names a resource: the bare name, a Kinesis stream ARN
 * (`…:stream/<name>`), a DynamoDB table ARN (`…:table/<name>`) or an S3 ARN (`arn:aws:s3:::<name>`).
 */
function renameValue(value: string, names: ReadonlyMap<string, string>): string {
  const exact = names.get(value);
  if (exact !== undefined) return exact;
  // A comma-separated list of names (the aggregate stage's SOURCE_STREAMS): each renamed.
  if (value.includes(',')) return value.split(',').map((part) => renameValue(part, names)).join(',');
  for (const separator of [':stream/', ':table/', ':::']) {
    const at = value.lastIndexOf(separator);
    if (at < 0) continue;
    const renamed = names.get(value.slice(at + separator.length));
    if (renamed !== undefined) return `${value.slice(0, at + separator.length)}${renamed}`;
  }
  return value;
}

function renameEvent(event: StreamEventSettings, names: ReadonlyMap<string, string>): StreamEventSettings {
  const onFailure = event.onFailure;
  return {
    ...event,
    streamName: renameValue(event.streamName, names),
    streamArn: renameValue(event.streamArn, names),
    ...(onFailure
      ? { onFailure: { ...onFailure, arn: renameValue(onFailure.arn, names), ...(onFailure.bucket !== undefined ? { bucket: renameValue(onFailure.bucket, names) } : {}) } }
      : {}),
  };
}

/**
 * A copy of a serverless.yml model whose streams, tables and bucket (and function names) carry a
 * suffix, so that many copies of the pipeline run side by side on one local stack without
 * sharing a record, a seen key or an error object. Every reference is rewritten: resource
 * names, each function's environment values, and its stream events (stream name and ARN, and
 * the on-failure bucket). Pure.
 * @param model - the model from `loadServerlessModel`
 * @param suffix - appended as `-<suffix>`; keep it short and lowercase (bucket names: 3–63 characters)
 * @param options - resources to leave shared
 */
export function renameModel(model: ServerlessModel, suffix: string, options: RenameOptions = {}): ServerlessModel {
  const keep = new Set(options.keep ?? []);
  const names = new Map<string, string>();
  for (const resource of [...model.streams, ...model.tables, ...model.buckets]) {
    if (!keep.has(resource.logicalId)) names.set(resource.name, `${resource.name}-${suffix}`);
  }
  const rename = <T extends { readonly name: string }>(resource: T): T => ({ ...resource, name: renameValue(resource.name, names) });
  const functions: FunctionModel[] = model.functions.map((fn) => ({
    ...fn,
    name: `${fn.name}-${suffix}`,
    environment: Object.fromEntries(Object.entries(fn.environment).map(([key, value]) => [key, renameValue(value, names)])),
    streamEvents: fn.streamEvents.map((event) => renameEvent(event, names)),
  }));
  return { ...model, streams: model.streams.map(rename), tables: model.tables.map(rename), buckets: model.buckets.map(rename), functions };
}
