import type { PositionKey } from './AggregateStateStore.js';

/**
 * A byte range of a staged object: one batch's records of one file, already encoded. Staged
 * objects live outside every table location, so readers never see them.
 */
export interface StagedSegment {
  /** Index into {@link WriterShardState.staged}. */
  readonly object: number;
  readonly offset: number;
  readonly length: number;
}

/** A part of a multipart upload, as `CompleteMultipartUpload` needs it. */
export interface UploadedPart {
  readonly number: number;
  readonly etag: string;
}

/** A column of a Parquet file and its type, tracked while a file is open. */
export interface FileColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * A file being written: the records staged for it (its segments), the parts of its multipart
 * upload once they reach S3's minimum part size, and what the rolling policy looks at.
 */
export interface OpenFile {
  /** The partition it belongs to, e.g. `data/stream_data/year=2015/month=01/day=02/hour=20/`. */
  readonly prefix: string;
  /** The object key it is committed under: deterministic, from the shard and its first record. */
  readonly key: string;
  readonly openedAt: number;
  readonly lastAppendAt: number;
  /** Encoded bytes staged for it so far (parts and segments). */
  readonly bytes: number;
  readonly records: number;
  /** The multipart upload, once its first part was uploaded. */
  readonly uploadId?: string;
  readonly parts: readonly UploadedPart[];
  /** Staged bytes not yet in a part, in order. */
  readonly segments: readonly StagedSegment[];
  /** Parquet only: the columns seen so far. */
  readonly columns?: readonly FileColumn[];
}

/** A partition that holds committed data but no `_SUCCESS` since. */
export interface UnmarkedPartition {
  readonly prefix: string;
  /** When its last data file was committed (processing time, epoch ms). */
  readonly lastCommitAt: number;
}

/**
 * One shard's writer state, saved whole under a version: the checkpoint (records at or before
 * it are staged), open files, files rolled but not yet confirmed committed, and partitions
 * awaiting their commit marker. Like Flink's file sink state at a checkpoint: in-progress files,
 * pending files, and what the partition committer still has to do.
 */
export interface WriterShardState {
  /** How many times it was saved; 0 when never. */
  readonly version: number;
  readonly checkpoint?: PositionKey;
  /** Staged object keys that segments refer to (by index). */
  readonly staged: readonly string[];
  readonly files: readonly OpenFile[];
  /** Files rolled: their content is fixed, and committing them again gives the same object. */
  readonly pending: readonly OpenFile[];
  readonly unmarked: readonly UnmarkedPartition[];
}

/** A shard's state before its first save. */
export const EMPTY_WRITER_STATE: WriterShardState = { version: 0, staged: [], files: [], pending: [], unmarked: [] };

/**
 * Where an S3 writer keeps each shard's state. Saves are conditional on the version read, so
 * two invocations can never both move one shard's files on.
 */
export interface WriterStateStore {
  /** Reads one shard's state (strongly consistent). */
  read(shard: string): Promise<WriterShardState>;
  /**
   * Saves a shard's state if it is still at `state.version - 1`.
   * @throws StateConflictError when another invocation saved it meanwhile
   */
  save(shard: string, state: WriterShardState): Promise<void>;
  /** Reads every shard's state (strongly consistent), to see who still holds a partition open. */
  readAll(): Promise<ReadonlyMap<string, WriterShardState>>;
}
