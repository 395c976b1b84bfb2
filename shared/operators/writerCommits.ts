/**
 * The S3 writer's two-phase commit and partition commit, shared by the stream-triggered writer
 * and its scheduled sweep. A rolled file is first saved as pending (its content fixed by the
 * saved state), then committed, then cleared; an invocation that finds pending files commits
 * them again, which gives the same objects. A partition gets `_SUCCESS` once it is due and no
 * shard holds a file of it open or pending.
 */
import { StateConflictError } from '../errors.js';
import type { ObjectStore } from '../ports/ObjectStore.js';
import type { OpenFile, StagedSegment, WriterShardState, WriterStateStore } from '../ports/WriterStateStore.js';
import { FINAL_EVENT_TIME } from '../ports/AggregateStateStore.js';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import { commitFile, prefetchSegments, readSegments } from '../writer/fileUploads.js';
import { filesToRoll, heldPrefixes, pruneStaged, type StateCaps } from '../writer/files.js';
import type { RollingPolicy } from '../writer/rollingPolicy.js';
import type { FileFormat } from '../writer/formats.js';
import { commitDue, SUCCESS_FILE, type CommitTrigger } from '../writer/partitionCommit.js';

/** S3 calls in flight at once when committing files or writing markers. */
const COMMIT_CONCURRENCY = 16;

/** Staged objects read at once for a group of files (each one batch, at most 6 MB). */
const OBJECTS_PER_GROUP = 8;

/** Pending files in groups that refer to few staged objects between them, to bound a commit's memory. */
function commitGroups(files: readonly OpenFile[]): OpenFile[][] {
  const groups: OpenFile[][] = [];
  let group: OpenFile[] = [];
  let objects = new Set<number>();
  for (const file of files) {
    const added = file.segments.filter((segment) => !objects.has(segment.object)).length;
    if (group.length > 0 && objects.size + added > OBJECTS_PER_GROUP) {
      groups.push(group);
      group = [];
      objects = new Set();
    }
    group.push(file);
    for (const segment of file.segments) objects.add(segment.object);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** What committing needs. */
export interface CommitDeps {
  readonly files: WriterStateStore;
  readonly objects: ObjectStore;
  readonly format: FileFormat;
  /** Flink's `sink.partition-commit.trigger` and `sink.partition-commit.delay`. */
  readonly commit: { readonly trigger: CommitTrigger; readonly delayMs: number };
  readonly policy: RollingPolicy;
  readonly caps: StateCaps;
  /** The writer's name: staged objects live under `<stagingPrefix><writer>/<shard>/`. */
  readonly writer: string;
  /** Invisible to readers of every table location (a `_` or `.` segment). @default '_eddy/in-progress/' */
  readonly stagingPrefix: string;
}

/** Where a shard's staged objects live. */
export const stagingOf = (deps: Pick<CommitDeps, 'writer' | 'stagingPrefix'>, shard: string): string => `${deps.stagingPrefix}${deps.writer}/${shard}/`;

/** What a commit round did. */
export interface CommitCounts {
  /** Files committed (made visible). */
  files: number;
  /** Records in them. */
  records: number;
  /** `_SUCCESS` markers written. */
  markers: number;
}

/**
 * Commits a shard's pending files, records their partitions as awaiting a marker, saves, and
 * deletes the staged objects nothing refers to any more.
 * @returns the state as saved
 */
export async function commitPending(deps: CommitDeps, shard: string, state: WriterShardState, now: number, counts: CommitCounts): Promise<WriterShardState> {
  if (state.pending.length === 0) return state;
  for (const group of commitGroups(state.pending)) {
    // Appendable files are small by now (their full parts are uploaded): read their staged
    // objects once for the group; a Parquet file streams its own segments.
    const read = deps.format.appendable ? await prefetchSegments(deps.objects, state.staged, group) : (segments: readonly StagedSegment[]) => readSegments(deps.objects, state.staged, segments);
    await forEachConcurrent(group, COMMIT_CONCURRENCY, async (file) => {
      await commitFile(file, read, deps.objects, deps.format);
      counts.files += 1;
      counts.records += file.records;
    });
  }
  const committed = new Set(state.pending.map((file) => file.prefix));
  const unmarked = [...state.unmarked.filter((entry) => !committed.has(entry.prefix)), ...[...committed].map((prefix) => ({ prefix, lastCommitAt: now }))];
  const { state: next, dropped } = pruneStaged({ ...state, version: state.version + 1, pending: [], unmarked });
  await deps.files.save(shard, next);
  if (dropped.length > 0) await deps.objects.delete(dropped);
  return next;
}

/**
 * Writes `_SUCCESS` into each partition of the shard's that is due (by the watermark past its
 * end plus the delay, or the delay past its last commit) and that no shard holds open.
 * @param watermark - the event-time watermark; at the end of input every partition is due
 */
export async function markPartitions(deps: CommitDeps, shard: string, state: WriterShardState, watermark: number | undefined, now: number, counts: CommitCounts): Promise<WriterShardState> {
  const ended = watermark !== undefined && watermark >= FINAL_EVENT_TIME;
  const dueBy = (prefix: string, lastCommitAt: number): boolean => ended || commitDue(prefix, lastCommitAt, { trigger: deps.commit.trigger, delayMs: deps.commit.delayMs, watermark, now });
  // Due by this shard's own last commit is necessary; the partition's last commit by any shard decides.
  if (!state.unmarked.some((entry) => dueBy(entry.prefix, entry.lastCommitAt))) return state;
  const held = heldPrefixes(state);
  const lastCommit = new Map(state.unmarked.map((entry) => [entry.prefix, entry.lastCommitAt]));
  for (const [other, theirs] of await deps.files.readAll()) {
    if (other === shard) continue;
    for (const prefix of heldPrefixes(theirs)) held.add(prefix);
    for (const entry of theirs.unmarked) lastCommit.set(entry.prefix, Math.max(lastCommit.get(entry.prefix) ?? entry.lastCommitAt, entry.lastCommitAt));
  }
  const ready = new Set(state.unmarked.filter((entry) => !held.has(entry.prefix) && dueBy(entry.prefix, lastCommit.get(entry.prefix) as number)).map((entry) => entry.prefix));
  if (ready.size === 0) return state;
  await forEachConcurrent([...ready], COMMIT_CONCURRENCY, (prefix) => deps.objects.put(`${prefix}${SUCCESS_FILE}`, ''));
  counts.markers += ready.size;
  const next = { ...state, version: state.version + 1, unmarked: state.unmarked.filter((entry) => !ready.has(entry.prefix)) };
  await deps.files.save(shard, next);
  return next;
}

/**
 * Rolls a shard's files that are due (saved as pending first: the pre-commit), commits them, and
 * marks its complete partitions.
 * @param watermark - the event-time watermark, if known
 * @returns the state as saved
 */
export async function settleShard(deps: CommitDeps, shard: string, state: WriterShardState, watermark: number | undefined, now: number, counts: CommitCounts): Promise<WriterShardState> {
  const partitionEndDelayMs = deps.commit.trigger === 'partition-time' ? deps.commit.delayMs : undefined;
  const rolls = filesToRoll(state.files, { policy: deps.policy, caps: deps.caps, now, watermark, partitionEndDelayMs });
  let next = state;
  if (rolls.size > 0) {
    next = { ...state, version: state.version + 1, files: state.files.filter((file) => !rolls.has(file)), pending: [...state.pending, ...rolls.keys()] };
    await deps.files.save(shard, next);
  }
  next = await commitPending(deps, shard, next, now, counts);
  return markPartitions(deps, shard, next, watermark, now, counts);
}

/**
 * Settles the shards `which` selects: a shard that delivers nothing more (its input ended, a
 * closed parent, or a quiet stream) still gets its files rolled and committed once the watermark
 * or the clock says so. A shard whose own invocation saves first is left to it.
 */
export async function settleShards(deps: CommitDeps, which: (shard: string) => boolean, watermark: number | undefined, now: number, counts: CommitCounts): Promise<void> {
  for (const [shard, state] of await deps.files.readAll()) {
    if (!which(shard) || (state.files.length === 0 && state.pending.length === 0 && state.unmarked.length === 0)) continue;
    try {
      // Claimed first when it has pending files: a stale view's may be committed already, their staged data gone.
      const claimed = state.pending.length > 0 ? { ...state, version: state.version + 1 } : state;
      if (claimed !== state) await deps.files.save(shard, claimed);
      await settleShard(deps, shard, claimed, watermark, now, counts);
    } catch (error) {
      // Its own invocation moved it on meanwhile and settles it itself.
      if (!(error instanceof StateConflictError)) throw error;
    }
  }
}
