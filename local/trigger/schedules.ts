import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { FunctionModel } from '../serverlessModel.js';
import type { WorkerPool } from './invoker.js';
import type { TriggerEventMap } from './types.js';

/** A function's schedule to run locally. */
export interface LocalSchedule {
  readonly fn: FunctionModel;
  readonly pool: WorkerPool;
  readonly intervalMs: number;
}

/** An EventBridge scheduled event, as Lambda receives it. */
const scheduledEvent = (fn: FunctionModel, region: string, account: string): Record<string, unknown> => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account,
  time: new Date().toISOString(),
  region,
  resources: [`arn:aws:events:${region}:${account}:rule/${fn.name}-schedule`],
  detail: {},
});

/**
 * Invokes each function on its schedule, as EventBridge rules do: one invocation at a time per
 * schedule (a tick that finds the previous one still running is skipped). Failures are reported
 * as `error` events; the next tick runs regardless, as EventBridge's would.
 * @returns a stop function that clears the timers and waits for running invocations
 */
export function startSchedules(schedules: readonly LocalSchedule[], events: EventEmitter<TriggerEventMap>, where: { readonly region: string; readonly account: string }): () => Promise<void> {
  const running = new Set<Promise<void>>();
  const timers = schedules.map(({ fn, pool, intervalMs }) => {
    let busy = false;
    return setInterval(() => {
      if (busy) return;
      busy = true;
      const run = pool.invoke(scheduledEvent(fn, where.region, where.account), []).then((outcome) => {
        events.emit('scheduled', { function: fn.key, status: outcome.status, millis: outcome.millis });
        if (outcome.status !== 'ok') events.emit('error', { function: fn.key, error: Object.assign(new Error(`scheduled invocation: ${outcome.error.errorMessage}`), { name: outcome.error.errorType }) });
      });
      running.add(run);
      void run.finally(() => {
        busy = false;
        running.delete(run);
      });
    }, intervalMs);
  });
  return async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all(running);
  };
}
