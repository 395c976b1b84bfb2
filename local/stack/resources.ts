import { CreateTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ResourceInUseException as StreamInUse } from '@aws-sdk/client-kinesis';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { sleep } from '../../shared/retry.js';
import type { ServerlessModel } from '../serverlessModel.js';

/** Clients pointed at the stack. */
export interface StackClients {
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
}

/** What {@link createResources} made and what already existed. */
export interface CreatedResources {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

/**
 * Creates every stream, table (with its TTL) and bucket that serverless.yml declares.
 * Idempotent: what exists already is left as it is, so it is safe on a persisted stack.
 */
export async function createResources(model: ServerlessModel, clients: StackClients): Promise<CreatedResources> {
  const created: string[] = [];
  const existing: string[] = [];
  const note = (what: string, wasCreated: boolean): void => void (wasCreated ? created : existing).push(what);

  await Promise.all([
    ...model.streams.map(async (stream) => {
      const made = await ignoring([StreamInUse], () => clients.kinesis.send(new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount })));
      await waitForStream(clients.kinesis, stream.name);
      note(`stream ${stream.name} (${stream.shardCount} shards)`, made);
    }),
    ...model.tables.map(async (table) => {
      const input: CreateTableCommandInput = {
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [...table.keySchema],
        AttributeDefinitions: [...table.attributeDefinitions],
        ...(table.globalSecondaryIndexes ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes as unknown as CreateTableCommandInput['GlobalSecondaryIndexes'] } : {}),
      };
      const made = await ignoring([ResourceInUseException], () => clients.dynamodb.send(new CreateTableCommand(input)));
      if (made && table.ttlAttribute) {
        await clients.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: table.name, TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } }));
      }
      note(`table ${table.name}`, made);
    }),
    ...model.buckets.map(async (bucket) => {
      const made = await ignoring([BucketAlreadyOwnedByYou, BucketAlreadyExists], () => clients.s3.send(new CreateBucketCommand({ Bucket: bucket.name })));
      note(`bucket ${bucket.name}`, made);
    }),
  ]);
  return { created, existing };
}

/** Runs `create`; false when it failed only because the resource exists already. */
async function ignoring(kinds: readonly (abstract new (...args: never[]) => Error)[], create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (kinds.some((kind) => error instanceof kind || (error instanceof Error && error.name === kind.name))) return false;
    throw error;
  }
}

async function waitForStream(kinesis: KinesisClient, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await sleep(50);
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}
