import { deflateRawSync } from 'node:zlib';
import { DYNAMODB_LIMITS } from '../constants.js';
import { StateConflictError, StateLimitError } from '../errors.js';
import { EMPTY_WRITER_STATE, type WriterShardState, type WriterStateStore } from '../ports/WriterStateStore.js';

/** Room left in an item for its keys and version beside the state (as the DynamoDB adapter). */
const KEY_ROOM = 1024;

type StoredState = Omit<WriterShardState, 'version'>;

/**
 * An S3 writer's shard states in memory, with the DynamoDB adapter's semantics: each state is
 * kept as JSON text (so a read gives a fresh copy, and its size can be measured), every save is
 * conditional on the version read, and a state too large for a DynamoDB item once deflated is
 * refused. Counts the requests the DynamoDB adapter would make: for the writer's unit tests and
 * its benchmark.
 */
export class InMemoryWriterStateStore implements WriterStateStore {
  /** Requests the DynamoDB adapter would have made: reads (Get, one Query page per `readAll`) and writes (Put). */
  public readonly requests = { reads: 0, writes: 0 };
  /** The largest state saved, in bytes of JSON (before the DynamoDB adapter's deflate). */
  public largestStateBytes = 0;
  private readonly items = new Map<string, { readonly version: number; readonly state: string }>();

  public async read(shard: string): Promise<WriterShardState> {
    this.requests.reads += 1;
    const item = this.items.get(shard);
    return item === undefined ? EMPTY_WRITER_STATE : stateOfItem(item);
  }

  public async save(shard: string, state: WriterShardState): Promise<void> {
    const { version, ...stored } = state;
    const body = JSON.stringify(stored satisfies StoredState);
    // Deflating is only worth it when the plain text could be over the limit.
    if (body.length > DYNAMODB_LIMITS.itemMaxBytes - KEY_ROOM) {
      const deflated = deflateRawSync(body).length;
      if (deflated > DYNAMODB_LIMITS.itemMaxBytes - KEY_ROOM) {
        throw new StateLimitError(`the S3 writer's state of shard ${shard} is ${deflated} bytes compressed, over DynamoDB's item limit: lower MAX_OPEN_FILES or MAX_SEGMENTS_PER_FILE`);
      }
    }
    this.requests.writes += 1;
    const current = this.items.get(shard);
    if (version === 1 ? current !== undefined : current?.version !== version - 1) {
      throw new StateConflictError(`the S3 writer's state of shard ${shard} moved past version ${version - 1} meanwhile`);
    }
    this.items.set(shard, { version, state: body });
    this.largestStateBytes = Math.max(this.largestStateBytes, Buffer.byteLength(body));
  }

  public async readAll(): Promise<ReadonlyMap<string, WriterShardState>> {
    this.requests.reads += 1;
    return new Map([...this.items].map(([shard, item]) => [shard, stateOfItem(item)]));
  }

  /** The bytes of JSON a shard's state takes now (0 before its first save). */
  public stateBytes(shard: string): number {
    const item = this.items.get(shard);
    return item === undefined ? 0 : Buffer.byteLength(item.state);
  }
}

const stateOfItem = (item: { readonly version: number; readonly state: string }): WriterShardState => ({ ...(JSON.parse(item.state) as StoredState), version: item.version });
