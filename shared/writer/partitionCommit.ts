/**
 * When a partition is complete and gets its `_SUCCESS` file: Flink's partition commit
 * (`sink.partition-commit.trigger` = `partition-time` or `process-time`, with
 * `sink.partition-commit.delay`), the success-file policy. A record that arrives later and
 * reopens a committed partition makes it due again.
 */

/** The two triggers of Flink's partition commit. */
export const COMMIT_TRIGGERS = ['partition-time', 'process-time'] as const;

/** A partition commit trigger. */
export type CommitTrigger = (typeof COMMIT_TRIGGERS)[number];

/** The name of the marker file a committed partition holds. */
export const SUCCESS_FILE = '_SUCCESS';

const HIVE_TIME = /(?:^|\/)year=(\d{4})\/month=(\d{2})(?:\/day=(\d{2}))?(?:\/hour=(\d{2}))?\//;

/**
 * The event-time span a partition path covers, from its Hive time partitions
 * (`year=2015/month=01/day=05/hour=13/` is that hour; without `hour=` a day; without `day=` a
 * month), or undefined for a path without them (e.g. partitioned by a field only).
 */
export function partitionSpan(prefix: string): { readonly start: number; readonly end: number } | undefined {
  const match = HIVE_TIME.exec(prefix);
  if (match === null) return undefined;
  const [year, month, day, hour] = [Number(match[1]), Number(match[2]), match[3] === undefined ? undefined : Number(match[3]), match[4] === undefined ? undefined : Number(match[4])];
  const start = Date.UTC(year, month - 1, day ?? 1, hour ?? 0);
  const end = hour !== undefined ? start + 3_600_000 : day !== undefined ? start + 86_400_000 : Date.UTC(year, month, 1);
  return { start, end };
}

/** What the commit decision looks at. */
export interface CommitCheck {
  readonly trigger: CommitTrigger;
  /** `sink.partition-commit.delay`, ms. */
  readonly delayMs: number;
  /** The pipeline's event-time watermark (for `partition-time`). */
  readonly watermark: number | undefined;
  /** Processing time now, epoch ms (for `process-time`). */
  readonly now: number;
}

/**
 * Whether a partition is due for its `_SUCCESS`: with `partition-time`, once the watermark has
 * passed the partition's end plus the delay (a path without time partitions never is); with
 * `process-time`, once the delay has passed since its last file was committed.
 * @param lastCommitAt - when its last data file was committed, epoch ms
 */
export function commitDue(prefix: string, lastCommitAt: number, check: CommitCheck): boolean {
  if (check.trigger === 'process-time') return check.now - lastCommitAt >= check.delayMs;
  const span = partitionSpan(prefix);
  return span !== undefined && check.watermark !== undefined && check.watermark >= span.end + check.delayMs;
}
