/**
 * Service limits and defaults, each with its number and the page that states it.
 * Every batching and retry loop in eddy takes its bounds from here, never from a literal.
 */

/** Kinesis PutRecords limits. @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html */
export const KINESIS_LIMITS = {
  /** Records per PutRecords call. */
  putRecordsMaxRecords: 500,
  /** Bytes per PutRecords call (data + partition keys). */
  putRecordsMaxBytes: 5 * 1024 * 1024,
  /** Bytes of one record's data blob plus its partition key. */
  recordMaxBytes: 1024 * 1024,
  /** Partition key length in Unicode characters. */
  partitionKeyMaxLength: 256,
  /** Records per GetRecords call. @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html */
  getRecordsMaxRecords: 10_000,
} as const;

/** DynamoDB batch and item limits. @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html */
export const DYNAMODB_LIMITS = {
  /** Put or delete requests per BatchWriteItem. */
  batchWriteMaxItems: 25,
  /** Keys per BatchGetItem. */
  batchGetMaxKeys: 100,
  /** PartiQL statements per BatchExecuteStatement. @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html */
  batchStatementMaxItems: 25,
  /** Response bytes per BatchGetItem. */
  batchGetMaxBytes: 16 * 1024 * 1024,
  /** Bytes per item. */
  itemMaxBytes: 400 * 1024,
  /** Actions per TransactWriteItems. @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html */
  transactWriteMaxItems: 100,
  /** Bytes of all items of one TransactWriteItems. Same page. */
  transactWriteMaxBytes: 4 * 1024 * 1024,
  /** Characters of an update or condition expression. @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-expression-parameters */
  expressionMaxChars: 4096,
} as const;

/** Lambda limits. @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const LAMBDA_LIMITS = {
  /** Synchronous invocation payload bytes (request and response). */
  payloadMaxBytes: 6 * 1024 * 1024,
  /** Parallelization factor range of a Kinesis event source mapping. */
  maxParallelizationFactor: 10,
} as const;

/** Retry with exponential backoff and full jitter. @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ */
export const RETRY_DEFAULTS = {
  /** Attempts before giving up on the entries still failing. */
  maxAttempts: 8,
  /** First backoff ceiling in milliseconds. */
  baseDelayMs: 50,
  /** Largest backoff ceiling in milliseconds. */
  maxDelayMs: 5_000,
} as const;

/** The scenario of the original hands-on: one store, six months. */
export const SCENARIO = {
  rows: 94_498,
  from: '2015-01-01',
  to: '2015-06-30',
  storeCd: '12345',
  storeName: '등촌점',
} as const;
