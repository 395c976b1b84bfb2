import type { FunctionModel } from '../serverlessModel.js';
import { followStageTotals, rejectedCount, type StageTotals } from '../stats.js';
import type { FunctionStats, Trigger } from '../trigger/index.js';

/** How often the progress lines are printed: a long drain shows it is moving without flooding a CI log. */
export const TICK_MS = 5_000;

const count = (value: number): string => value.toLocaleString('en-US');

/** The stage name a function reports under in its logs: `s3-writer:<WRITER_NAME>` for a writer, else its key. */
export const stageOf = (fn: FunctionModel): string => (fn.environment.WRITER_NAME === undefined ? fn.key : `s3-writer:${fn.environment.WRITER_NAME}`);

/** One function's progress line: records in and out, errors, duplicates, late, its rate and how far it is behind its stream. */
export function progressLine(stats: FunctionStats, totals: StageTotals | undefined, perSecond: number): string {
  const errors = totals === undefined ? 0 : rejectedCount(totals);
  return [
    `${stats.function.padEnd(14)} in ${count(stats.recordsIn).padStart(7)}`,
    `out ${count(totals?.out ?? 0).padStart(7)}`,
    `errors ${count(errors)}${(totals?.rejected.late ?? 0) > 0 ? ` (late ${count(totals?.rejected.late ?? 0)})` : ''}`,
    `duplicates ${count(totals?.duplicates ?? 0)}`,
    `${count(Math.round(perSecond))}/s`,
    `behind ${count(stats.behind)}`,
    ...(stats.errors > 0 ? [`failed invocations ${stats.errors}`] : []),
  ].join(' · ');
}

/**
 * Prints one progress line per stream-triggered function every {@link TICK_MS}: the trigger's
 * live counters (in, rate, lag) joined with the counts the functions log (out, errors,
 * duplicates, late), read incrementally from their logs.
 * @returns stops the ticker
 */
export function startStageProgress(trigger: Trigger, functions: readonly FunctionModel[], logDir: string, log: (line: string) => void): () => void {
  const stageNames = new Map(functions.map((fn) => [fn.key, stageOf(fn)]));
  const follower = followStageTotals(logDir);
  let last = new Map<string, { done: number; at: number }>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void follower
      .read()
      .then((totals) => {
        const now = performance.now();
        const stats = trigger.stats().filter((s) => s.recordsIn > 0 || s.behind > 0);
        const byStage = new Map(totals.map((t) => [t.stage, t]));
        const lines = stats.map((s) => {
          const before = last.get(s.function);
          const perSecond = before && now > before.at ? ((s.recordsDone - before.done) * 1000) / (now - before.at) : 0;
          return `   ${progressLine(s, byStage.get(stageNames.get(s.function) ?? s.function), perSecond)}`;
        });
        last = new Map(trigger.stats().map((s) => [s.function, { done: s.recordsDone, at: now }]));
        if (lines.length > 0) log(lines.join('\n'));
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, TICK_MS);
  return () => clearInterval(timer);
}
