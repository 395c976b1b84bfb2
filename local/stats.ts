import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Counts of one stage, summed over its invocations' reports. */
export interface StageTotals {
  stage: string;
  invocations: number;
  in: number;
  out: number;
  rejected: Record<string, number>;
  duplicates: number;
  /** Records of redelivered batches already on the output stream from an earlier attempt (dedupe). @default 0 */
  alreadyPublished?: number;
  /** Records of redelivered batches already applied in full by an earlier delivery (aggregate). @default 0 */
  replayed?: number;
  /** Control records (watermarks) read: outside the balance. @default 0 */
  control?: number;
  failed: number;
}

/** Whether a stage's counts balance: in = out + errors + duplicates + already published + replayed + failed. */
export const balances = (t: StageTotals): boolean =>
  t.in === t.out + rejectedCount(t) + t.duplicates + (t.alreadyPublished ?? 0) + (t.replayed ?? 0) + t.failed;

/** Errors of a stage, all reasons together. */
export const rejectedCount = (totals: StageTotals): number => Object.values(totals.rejected).reduce((a, b) => a + b, 0);

/**
 * Sums the per-invocation reports (`"message":"batch done"` log lines, the same counts the
 * stages publish as EMF metrics) found in a directory of function logs, per stage. A batch that
 * was delivered again is counted again, as CloudWatch would count it.
 * @param logDir - the trigger's `logDir` (e.g. `.eddy/logs`)
 */
export async function readStageTotals(logDir: string): Promise<StageTotals[]> {
  return followStageTotals(logDir).read();
}

/** Reads a directory of function logs as they grow, each line once. */
export interface StageTotalsFollower {
  /** Reads what the logs gained since the last call, and answers the totals so far. */
  read(): Promise<StageTotals[]>;
}

type BatchReport = { stage: string; in: number; out: number; rejected: Record<string, number>; duplicates?: number; alreadyPublished?: number; replayed?: number; control?: number; failed: number };

/** Adds one invocation's report to its stage's totals. */
function addReport(totals: Map<string, StageTotals>, report: BatchReport): void {
  const entry = totals.get(report.stage) ?? { stage: report.stage, invocations: 0, in: 0, out: 0, rejected: {}, duplicates: 0, alreadyPublished: 0, replayed: 0, control: 0, failed: 0 };
  entry.invocations += 1;
  entry.in += report.in;
  entry.out += report.out;
  entry.duplicates += report.duplicates ?? 0;
  entry.alreadyPublished = (entry.alreadyPublished ?? 0) + (report.alreadyPublished ?? 0);
  entry.replayed = (entry.replayed ?? 0) + (report.replayed ?? 0);
  entry.control = (entry.control ?? 0) + (report.control ?? 0);
  entry.failed += report.failed;
  for (const [reason, count] of Object.entries(report.rejected)) entry.rejected[reason] = (entry.rejected[reason] ?? 0) + count;
  totals.set(report.stage, entry);
}

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** The bytes of a file from `offset` on. */
async function readFrom(path: string, offset: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Follows the per-invocation reports of a directory of function logs: each {@link StageTotalsFollower.read}
 * reads only the bytes added since the previous one (a line cut mid-write waits for its end),
 * so the demo's progress lines stay cheap however long the logs grow.
 */
export function followStageTotals(logDir: string): StageTotalsFollower {
  const totals = new Map<string, StageTotals>();
  const offsets = new Map<string, { bytes: number; partial: Buffer }>();
  return {
    async read() {
      const files = (await readdir(logDir).catch(() => [] as string[])).filter((name) => name.endsWith('.log'));
      for (const file of files) {
        const seen = offsets.get(file) ?? { bytes: 0, partial: Buffer.alloc(0) };
        const added = await readFrom(join(logDir, file), seen.bytes);
        // Split on newline bytes, so a character cut between two reads is decoded whole.
        const text = Buffer.concat([seen.partial, added]);
        const end = text.lastIndexOf(0x0a) + 1;
        const lines = text.subarray(0, end).toString('utf8').split('\n');
        let partial = text.subarray(end);
        // The last line without its newline: complete if it parses (a log's last line), else still being written.
        const tail = partial.toString('utf8');
        if (tail.includes('"batch done"') && parses(tail)) {
          lines.push(tail);
          partial = Buffer.alloc(0);
        }
        offsets.set(file, { bytes: seen.bytes + added.length, partial });
        for (const line of lines) if (line.includes('"batch done"')) addReport(totals, JSON.parse(line) as BatchReport);
      }
      // The chain in its order, then the writers (`s3-writer:<name>`) by name.
      const rank = (stage: string): number => ['enrich', 'dedupe', 'aggregate'].indexOf(stage) >>> 0;
      return [...totals.values()].map((entry) => ({ ...entry, rejected: { ...entry.rejected } })).sort((a, b) => rank(a.stage) - rank(b.stage) || a.stage.localeCompare(b.stage));
    },
  };
}

/**
 * The whole pipeline as one stage: what entered the first stage against what left the last,
 * with every stage's errors, duplicates and failures.
 */
export function pipelineTotals(all: readonly StageTotals[]): StageTotals | undefined {
  // The chain enrich → dedupe → aggregate; the S3 writers are sinks beside it, balanced on their own lines.
  const totals = all.filter((t) => !t.stage.startsWith(WRITER_STAGE));
  const [first] = totals;
  const last = totals.at(-1);
  if (!first || !last) return undefined;
  const rejected: Record<string, number> = {};
  for (const t of totals) for (const [reason, count] of Object.entries(t.rejected)) rejected[reason] = (rejected[reason] ?? 0) + count;
  // What a stage forwarded and the next one did not read (or read twice) shows as the gap.
  const sum = (pick: (t: StageTotals) => number): number => totals.reduce((total, t) => total + pick(t), 0);
  return {
    stage: 'pipeline',
    invocations: sum((t) => t.invocations),
    in: first.in,
    out: last.out,
    rejected,
    duplicates: sum((t) => t.duplicates),
    alreadyPublished: sum((t) => t.alreadyPublished ?? 0),
    replayed: sum((t) => t.replayed ?? 0),
    failed: sum((t) => t.failed),
  };
}

/** The stage name of the S3 writers' reports, `s3-writer:<writer name>`. */
export const WRITER_STAGE = 's3-writer';

/**
 * One line per stage, and one for the pipeline: `in = out + errors + duplicates + failed`, with
 * a check mark when it holds. Records a redelivered dedupe batch found already on the clean
 * stream (not put again), and records a redelivered aggregate batch had applied already, are
 * terms of their own, shown when there are any. Late records are errors (reason `late`).
 */
export function formatStageTotals(totals: readonly StageTotals[]): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const whole = totals.length > 1 ? pipelineTotals(totals) : undefined;
  return [...totals, ...(whole ? [whole] : [])]
    .map((t) => {
      const errors = rejectedCount(t);
      const published = t.alreadyPublished ?? 0;
      const replayed = t.replayed ?? 0;
      const holds = balances(t);
      const reasons = Object.entries(t.rejected).map(([reason, count]) => `${reason} ${n(count)}`).join(', ');
      const publishedTerm = `${published > 0 ? ` + already published ${n(published)}` : ''}${replayed > 0 ? ` + replayed ${n(replayed)}` : ''}`;
      return `  ${t.stage.padEnd(18)} in ${n(t.in).padStart(8)} = out ${n(t.out).padStart(8)} + errors ${n(errors)}${reasons ? ` (${reasons})` : ''} + duplicates ${n(t.duplicates)}${publishedTerm} + failed ${n(t.failed)}  ${holds ? '✓' : '✗'}  (${t.invocations} invocations)`;
    })
    .join('\n');
}
