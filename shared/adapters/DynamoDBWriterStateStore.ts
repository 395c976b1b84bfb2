import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DYNAMODB_LIMITS } from '../constants.js';
import { StateConflictError, StateLimitError } from '../errors.js';
import { EMPTY_WRITER_STATE, type WriterShardState, type WriterStateStore } from '../ports/WriterStateStore.js';

/** Room left in an item for its keys and version beside the state. */
const KEY_ROOM = 1024;

type StoredState = Omit<WriterShardState, 'version'>;

/**
 * An S3 writer's shard states in DynamoDB: one item per shard (`pk` = `files#<writer>`, `sk` =
 * shard), the state as deflated JSON (file lists compress about tenfold) under a `version`
 * that every save is conditional on.
 */
export class DynamoDBWriterStateStore implements WriterStateStore {
  /** Requests made: reads (Get, Query pages) and writes (Put). */
  public readonly requests = { reads: 0, writes: 0 };
  private readonly pk: string;

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    writer: string,
  ) {
    this.pk = `files#${writer}`;
  }

  public async read(shard: string): Promise<WriterShardState> {
    this.requests.reads += 1;
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.pk, sk: shard }, ConsistentRead: true }));
    return Item === undefined ? EMPTY_WRITER_STATE : stateOfItem(Item);
  }

  public async save(shard: string, state: WriterShardState): Promise<void> {
    const { version, ...stored } = state;
    const body = deflateRawSync(JSON.stringify(stored satisfies StoredState));
    if (body.length > DYNAMODB_LIMITS.itemMaxBytes - KEY_ROOM) {
      throw new StateLimitError(`the S3 writer's state of shard ${shard} is ${body.length} bytes compressed, over DynamoDB's item limit: lower MAX_OPEN_FILES or MAX_SEGMENTS_PER_FILE`);
    }
    this.requests.writes += 1;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: this.pk, sk: shard, version, state: body },
          ConditionExpression: version === 1 ? 'attribute_not_exists(pk)' : 'version = :previous',
          ...(version === 1 ? {} : { ExpressionAttributeValues: { ':previous': version - 1 } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new StateConflictError(`the S3 writer's state of shard ${shard} moved past version ${version - 1} meanwhile`, { cause: error });
      throw error;
    }
  }

  public async readAll(): Promise<ReadonlyMap<string, WriterShardState>> {
    const states = new Map<string, WriterShardState>();
    let start: Record<string, unknown> | undefined;
    do {
      this.requests.reads += 1;
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': this.pk }, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) states.set(String(item.sk), stateOfItem(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return states;
  }
}

function stateOfItem(item: Record<string, unknown>): WriterShardState {
  const stored = JSON.parse(inflateRawSync(item.state as Uint8Array).toString('utf8')) as StoredState;
  return { ...stored, version: Number(item.version) };
}
