/**
 * The S3 writer's open files as pure state transitions: appending a batch's segments, deciding
 * which files roll, and which staged objects are still needed. The operator does the I/O.
 */
import { FINAL_EVENT_TIME } from '../ports/AggregateStateStore.js';
import type { FileColumn, OpenFile, StagedSegment, WriterShardState } from '../ports/WriterStateStore.js';
import { partitionSpan } from './partitionCommit.js';
import { rollReason, type RollingPolicy, type RollReason } from './rollingPolicy.js';

/** Why a file rolls: the policy's reasons, the partition's end, the end of input, or the state's caps. */
export type FileRollReason = RollReason | 'partition-end' | 'end-of-input' | 'open-files' | 'segments';

/** The limits that keep one shard's state within a DynamoDB item. */
export interface StateCaps {
  /** Open files per shard; past it the least recently appended roll. @default 200 */
  readonly maxOpenFiles: number;
  /** Staged segments per file not yet in a part; past it the file rolls. @default 100 */
  readonly maxSegmentsPerFile: number;
}

/** What the roll decision looks at besides the policy. */
export interface RollCheck {
  readonly policy: RollingPolicy;
  readonly caps: StateCaps;
  /** Processing time, epoch ms. */
  readonly now: number;
  /** The event-time watermark, when known. */
  readonly watermark: number | undefined;
  /** Roll a file once the watermark passes its partition's end plus this (partition-time commit), or never (undefined). */
  readonly partitionEndDelayMs: number | undefined;
}

/**
 * Which open files roll now, and why. A file rolls by the rolling policy, when the watermark has
 * passed its partition's end plus the commit delay (nothing more can come to it), at the end of
 * input, when it holds too many segments, or, least recently appended first, when the shard
 * holds too many open files.
 */
export function filesToRoll(files: readonly OpenFile[], check: RollCheck): Map<OpenFile, FileRollReason> {
  const rolls = new Map<OpenFile, FileRollReason>();
  for (const file of files) {
    const reason = rollReasonOf(file, check);
    if (reason !== false) rolls.set(file, reason);
  }
  const staying = files.filter((file) => !rolls.has(file)).sort((a, b) => a.lastAppendAt - b.lastAppendAt);
  for (const file of staying.slice(0, Math.max(0, staying.length - check.caps.maxOpenFiles))) rolls.set(file, 'open-files');
  return rolls;
}

function rollReasonOf(file: OpenFile, check: RollCheck): FileRollReason | false {
  if (check.watermark !== undefined && check.watermark >= FINAL_EVENT_TIME) return 'end-of-input';
  const byPolicy = rollReason({ bytes: file.bytes, openedAt: file.openedAt, lastAppendAt: file.lastAppendAt }, check.policy, check.now);
  if (byPolicy !== false) return byPolicy;
  if (file.segments.length >= check.caps.maxSegmentsPerFile) return 'segments';
  const span = partitionSpan(file.prefix);
  if (span !== undefined && check.watermark !== undefined && check.partitionEndDelayMs !== undefined && check.watermark >= span.end + check.partitionEndDelayMs) return 'partition-end';
  return false;
}

/** One partition's share of a batch, encoded and placed in the batch's staged object. */
export interface StagedAppend {
  readonly prefix: string;
  /** The position of its first record: names a new file. */
  readonly firstPosition: string;
  readonly offset: number;
  readonly length: number;
  readonly records: number;
  /** Parquet only: the columns of its records merged into the file's. */
  readonly columns?: (known: readonly FileColumn[]) => FileColumn[];
}

/**
 * Adds a batch's appends to the open files (a partition without one opens a file named by its
 * first record), all in one new staged object.
 * @param keyOf - the object key of a new file in a partition
 */
export function appendStaged(
  state: Pick<WriterShardState, 'staged' | 'files'>,
  stagedKey: string,
  appends: readonly StagedAppend[],
  now: number,
  keyOf: (prefix: string, firstPosition: string) => string,
): { staged: string[]; files: OpenFile[] } {
  if (appends.length === 0) return { staged: [...state.staged], files: [...state.files] };
  const staged = [...state.staged, stagedKey];
  const object = staged.length - 1;
  const files = new Map(state.files.map((file) => [file.prefix, file]));
  for (const append of appends) {
    const open = files.get(append.prefix);
    const segment: StagedSegment = { object, offset: append.offset, length: append.length };
    const base: OpenFile = open ?? { prefix: append.prefix, key: keyOf(append.prefix, append.firstPosition), openedAt: now, lastAppendAt: now, bytes: 0, records: 0, parts: [], segments: [] };
    const columns = append.columns?.(base.columns ?? []);
    files.set(append.prefix, {
      ...base,
      lastAppendAt: now,
      bytes: base.bytes + append.length,
      records: base.records + append.records,
      segments: [...base.segments, segment],
      ...(columns === undefined ? {} : { columns }),
    });
  }
  return { staged, files: [...files.values()] };
}

/**
 * Drops staged objects no file refers to any more and renumbers the segments: answers the
 * state and the keys dropped (to delete once the state is saved).
 */
export function pruneStaged<S extends WriterShardState>(state: S): { state: S; dropped: string[] } {
  const used = new Set([...state.files, ...state.pending].flatMap((file) => file.segments.map((segment) => segment.object)));
  const renumber = new Map<number, number>();
  const staged: string[] = [];
  const dropped: string[] = [];
  state.staged.forEach((key, index) => {
    if (used.has(index)) {
      renumber.set(index, staged.length);
      staged.push(key);
    } else dropped.push(key);
  });
  const remap = (file: OpenFile): OpenFile => ({ ...file, segments: file.segments.map((segment) => ({ ...segment, object: renumber.get(segment.object) as number })) });
  return { state: { ...state, staged, files: state.files.map(remap), pending: state.pending.map(remap) }, dropped };
}

/** Every prefix a shard holds open or is committing. */
export const heldPrefixes = (state: Pick<WriterShardState, 'files' | 'pending'>): Set<string> => new Set([...state.files, ...state.pending].map((file) => file.prefix));
