import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where each shard of an event source mapping stands, persisted so that a restart resumes
 * after the last processed record (AFTER_SEQUENCE_NUMBER). One JSON file per function and
 * stream, replaced atomically (write a temp file, rename it over). The stream's creation
 * time is stored with it: a stream deleted and created again under the same name starts over
 * instead of resuming from sequence numbers of the old one.
 */

/** One shard's position. */
export interface ShardCheckpoint {
  /** Last sequence number processed (everything up to it is done). */
  readonly sequenceNumber?: string;
  /** The shard is closed and every record of it was processed: its children may be read. */
  readonly finished?: boolean;
  /**
   * When a LATEST mapping first read this shard (epoch ms). Until a record is processed there,
   * a restart reads from this time (AT_TIMESTAMP) instead of a new LATEST, as AWS keeps a
   * mapping's position.
   */
  readonly startedAt?: number;
}

interface CheckpointFile {
  readonly streamArn: string;
  readonly streamCreatedAt: number;
  readonly shards: Record<string, ShardCheckpoint>;
}

/** The persisted checkpoints of one function and stream. */
export class CheckpointStore {
  private shards: Record<string, ShardCheckpoint> = {};
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private readonly file: string;

  /** Told when writing the file failed (it is written again shortly). */
  public onError?: (error: unknown) => void;

  private constructor(
    private readonly dir: string,
    name: string,
    private readonly streamArn: string,
    private readonly streamCreatedAt: number,
  ) {
    this.file = join(dir, `${name}.json`);
  }

  /**
   * Opens (or starts) the checkpoints of a function on a stream.
   * @param stateDir - directory holding the checkpoint files
   * @param functionName - deployed function name
   * @param streamArn - the stream's ARN
   * @param streamCreatedAt - the stream's creation time (ms): a different one discards old checkpoints
   */
  public static async open(stateDir: string, functionName: string, streamArn: string, streamCreatedAt: number): Promise<CheckpointStore> {
    const streamName = streamArn.split(':stream/')[1] ?? 'stream';
    const store = new CheckpointStore(join(stateDir, 'checkpoints'), `${functionName}__${streamName}`.replace(/[^\w.-]/g, '_'), streamArn, streamCreatedAt);
    const text = await readFile(store.file, 'utf8').catch(() => undefined);
    if (text) {
      const saved = JSON.parse(text) as CheckpointFile;
      if (saved.streamArn === streamArn && saved.streamCreatedAt === streamCreatedAt) store.shards = { ...saved.shards };
    }
    return store;
  }

  /** The position of a shard, if one was saved. */
  public get(shardId: string): ShardCheckpoint | undefined {
    return this.shards[shardId];
  }

  /** Every saved shard position. */
  public all(): Readonly<Record<string, ShardCheckpoint>> {
    return this.shards;
  }

  /** Records a shard's position and schedules a write. */
  public set(shardId: string, checkpoint: ShardCheckpoint): void {
    this.shards = { ...this.shards, [shardId]: checkpoint };
    this.schedule();
  }

  /** Resolves when everything set so far is on disk. */
  public async flush(): Promise<void> {
    while (this.dirty) await this.writing;
    await this.writing;
  }

  private schedule(): void {
    if (this.dirty) return;
    this.dirty = true;
    // Writes are chained and coalesced: while one is in flight, later changes wait for the next.
    this.writing = this.writing.then(async () => {
      this.dirty = false;
      const content: CheckpointFile = { streamArn: this.streamArn, streamCreatedAt: this.streamCreatedAt, shards: this.shards };
      try {
        await mkdir(this.dir, { recursive: true });
        const temp = `${this.file}.${process.pid}.tmp`;
        await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`);
        await rename(temp, this.file);
      } catch (error) {
        // A failed write must not end checkpointing: report it, and write again shortly.
        this.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 250));
        this.schedule();
      }
    });
  }
}
