import { describe, expect, it } from 'vitest';
import { SEP } from '../../../shared/aggregate/partials.js';
import { pipelineBound } from '../../../shared/aggregate/watermark.js';
import { FINAL_EVENT_TIME, type PipelineState, type ShardClock } from '../../../shared/ports/AggregateStateStore.js';

const path = (source: string, via: string): string => `${source}${SEP}${via}`;
const clock = (paths: Record<string, number>, activeAt = 1_000): ShardClock => ({
  activeAt,
  firstSeenAt: 0,
  paths: new Map(Object.entries(paths).map(([name, eventTime]) => [name, { eventTime, activeAt }])),
});
const state = (shards: Record<string, ShardClock>, missing: Record<string, number> = {}): PipelineState => ({
  shards: new Map(Object.entries(shards)),
  fired: new Map(),
  pending: new Map(),
  missing: new Map(Object.entries(missing)),
});
const options = { open: ['x', 'y'], now: 1_000, idleTimeoutMs: 60_000, startupGraceMs: 0 };

describe('Aggregate: the pipeline watermark', () => {
  it('is the lowest path over the clean shards', () => {
    const pipeline = state({ x: clock({ [path('r1', 'e1')]: 500, [path('r2', 'e1')]: 300 }), y: clock({ [path('r1', 'e1')]: 400, [path('r2', 'e1')]: 700 }) });
    expect(pipelineBound(pipeline, options).bound).toBe(300);
  });

  it('waits while a shard lacks a path another shard has (its records by that path are on their way)', () => {
    const pipeline = state({ x: clock({ [path('r1', 'e1')]: 500, [path('r2', 'e1')]: 300 }), y: clock({ [path('r1', 'e1')]: 400 }) });
    expect(pipelineBound(pipeline, options).bound).toBeUndefined();
  });

  it('waits for an expected path no shard has reported, until it has been missing for the idle timeout', () => {
    const shards = { x: clock({ [path('r1', 'e1')]: 500 }), y: clock({ [path('r1', 'e1')]: 400 }) };
    const expected = [path('r1', 'e1'), path('r2', 'e1')];
    const first = pipelineBound(state(shards), { ...options, expected });
    expect(first).toEqual({ bound: undefined, missing: [path('r2', 'e1')] });
    expect(pipelineBound(state(shards, { [path('r2', 'e1')]: 1_000 }), { ...options, now: 30_000, expected }).bound).toBeUndefined();
    expect(pipelineBound(state(shards, { [path('r2', 'e1')]: 1_000 }), { ...options, now: 61_001, expected }).bound).toBeUndefined(); // the shards' own paths are idle by then too
    const fresh = { x: clock({ [path('r1', 'e1')]: 500 }, 61_000), y: clock({ [path('r1', 'e1')]: 400 }, 61_000) };
    expect(pipelineBound(state(fresh, { [path('r2', 'e1')]: 1_000 }), { ...options, now: 61_001, expected }).bound).toBe(400);
  });

  it('leaves out idle paths, finished parents and shards past the end of input', () => {
    const pipeline = state({
      x: clock({ [path('r1', 'e1')]: 900 }),
      parent: { ...clock({ [path('r1', 'e1')]: 100 }), finished: true },
      done: clock({ final: FINAL_EVENT_TIME }),
      y: { activeAt: 1_000, paths: new Map([[path('r1', 'e1'), { eventTime: 800, activeAt: 1_000 }], [path('r9', 'e1'), { eventTime: 5, activeAt: -100_000 }]]) },
    });
    expect(pipelineBound(pipeline, { ...options, open: ['x', 'y', 'done'] }).bound).toBe(800);
  });

  it('reaches the end of input once every path is there, with no grace', () => {
    const pipeline = state({ x: clock({ [path('r1', 'e1')]: FINAL_EVENT_TIME }), y: clock({ [path('r1', 'e1')]: FINAL_EVENT_TIME }) });
    expect(pipelineBound(pipeline, { ...options, startupGraceMs: 3_600_000 }).bound).toBe(FINAL_EVENT_TIME);
  });
});
