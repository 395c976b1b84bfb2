import { describe, expect, it } from 'vitest';
import { FINAL_EVENT_TIME } from '../../../shared/ports/AggregateStateStore.js';
import { EMPTY_WRITER_STATE, type OpenFile, type WriterShardState } from '../../../shared/ports/WriterStateStore.js';
import { appendStaged, filesToRoll, pruneStaged, type RollCheck, type StagedAppend } from '../../../shared/writer/files.js';

const MINUTE = 60_000;
const HOUR_13 = 'data/raw/year=2015/month=01/day=05/hour=13/';
const HOUR_14 = 'data/raw/year=2015/month=01/day=05/hour=14/';
const END_OF_13 = Date.UTC(2015, 0, 5, 14);

/** An open file of `prefix`, opened and last appended at 0, small and young. */
const file = (prefix: string, overrides: Partial<OpenFile> = {}): OpenFile => ({
  prefix,
  key: `${prefix}part-0.json`,
  openedAt: 0,
  lastAppendAt: 0,
  bytes: 100,
  records: 1,
  parts: [],
  segments: [{ object: 0, offset: 0, length: 100 }],
  ...overrides,
});

/** A roll check at processing time 1 min: 1 KB, 10 min open, 5 min inactive; no watermark. */
const check = (overrides: Partial<RollCheck> = {}): RollCheck => ({
  policy: { fileSizeBytes: 1_000, rolloverIntervalMs: 10 * MINUTE, inactivityIntervalMs: 5 * MINUTE },
  caps: { maxOpenFiles: 10, maxSegmentsPerFile: 3 },
  now: MINUTE,
  watermark: undefined,
  partitionEndDelayMs: undefined,
  ...overrides,
});

const reasons = (rolls: Map<OpenFile, string>): Record<string, string> => Object.fromEntries([...rolls].map(([rolled, reason]) => [rolled.key, reason]));

describe('Writer: open files', () => {
  it('rolls nothing that is small, young, active and in an open partition', () => {
    expect(filesToRoll([file(HOUR_13, { lastAppendAt: 30_000 })], check({ watermark: END_OF_13 - 1, partitionEndDelayMs: 0 })).size).toBe(0);
  });

  it('rolls a file at the size limit, after the rollover interval and after the inactivity interval', () => {
    const files = [
      file(HOUR_13, { key: 'size', bytes: 1_000, openedAt: 9 * MINUTE, lastAppendAt: 9 * MINUTE }),
      file(HOUR_13, { key: 'rollover', openedAt: 0, lastAppendAt: 9 * MINUTE }),
      file(HOUR_13, { key: 'inactivity', openedAt: 4 * MINUTE, lastAppendAt: 5 * MINUTE }),
      file(HOUR_13, { key: 'staying', bytes: 999, openedAt: MINUTE + 1, lastAppendAt: 5 * MINUTE + 1 }),
    ];
    expect(reasons(filesToRoll(files, check({ now: 10 * MINUTE })))).toEqual({ size: 'size', rollover: 'rollover', inactivity: 'inactivity' });
  });

  it('rolls a file holding too many segments not yet in a part', () => {
    const segments = [0, 1, 2].map((object) => ({ object, offset: 0, length: 10 }));
    expect(reasons(filesToRoll([file(HOUR_13, { key: 'many', segments }), file(HOUR_13, { key: 'few', segments: segments.slice(1) })], check()))).toEqual({ many: 'segments' });
  });

  it('rolls a file once the watermark passes its partition’s end plus the delay, only with a partition-time commit', () => {
    const files = [file(HOUR_13, { key: '13' }), file(HOUR_14, { key: '14' }), file('data/oceanus/f_sequence=3/', { key: 'field' })];
    expect(reasons(filesToRoll(files, check({ watermark: END_OF_13 + 9 * MINUTE, partitionEndDelayMs: 10 * MINUTE })))).toEqual({});
    expect(reasons(filesToRoll(files, check({ watermark: END_OF_13 + 10 * MINUTE, partitionEndDelayMs: 10 * MINUTE })))).toEqual({ 13: 'partition-end' });
    expect(reasons(filesToRoll(files, check({ watermark: END_OF_13 + 10 * MINUTE, partitionEndDelayMs: undefined })))).toEqual({});
  });

  it('rolls every file at the end of input, whatever else holds', () => {
    const files = [file(HOUR_13, { key: '13', bytes: 5_000 }), file('data/oceanus/f_sequence=3/', { key: 'field' })];
    expect(reasons(filesToRoll(files, check({ watermark: FINAL_EVENT_TIME })))).toEqual({ 13: 'end-of-input', field: 'end-of-input' });
  });

  it('rolls the least recently appended files past the open-files cap, counting only files that stay', () => {
    const files = [
      file(HOUR_13, { key: 'newest', lastAppendAt: 50_000 }),
      file(HOUR_13, { key: 'oldest', lastAppendAt: 10_000 }),
      file(HOUR_13, { key: 'big', bytes: 2_000, lastAppendAt: 5_000 }),
      file(HOUR_13, { key: 'middle', lastAppendAt: 30_000 }),
      file(HOUR_13, { key: 'older', lastAppendAt: 20_000 }),
    ];
    expect(reasons(filesToRoll(files, check({ caps: { maxOpenFiles: 2, maxSegmentsPerFile: 100 } })))).toEqual({ big: 'size', oldest: 'open-files', older: 'open-files' });
  });

  it('appends a batch’s segments to the open file of their partition and opens a file for a new one', () => {
    const open = file(HOUR_13, { key: 'open-13', openedAt: 1_000, lastAppendAt: 1_000, bytes: 100, records: 2, segments: [{ object: 0, offset: 0, length: 100 }] });
    const appends: StagedAppend[] = [
      { prefix: HOUR_13, firstPosition: '0005', offset: 0, length: 40, records: 3 },
      { prefix: HOUR_14, firstPosition: '0008', offset: 40, length: 60, records: 1 },
    ];
    const next = appendStaged({ staged: ['staged/a'], files: [open] }, 'staged/b', appends, 9_000, (prefix, position) => `${prefix}part-${position}.json`);
    expect(next.staged).toEqual(['staged/a', 'staged/b']);
    expect(next.files).toEqual([
      { ...open, lastAppendAt: 9_000, bytes: 140, records: 5, segments: [{ object: 0, offset: 0, length: 100 }, { object: 1, offset: 0, length: 40 }] },
      { prefix: HOUR_14, key: `${HOUR_14}part-0008.json`, openedAt: 9_000, lastAppendAt: 9_000, bytes: 60, records: 1, parts: [], segments: [{ object: 1, offset: 40, length: 60 }] },
    ]);
  });

  it('merges a bulk format’s columns into the file’s, and adds no staged object for an empty batch', () => {
    const open = file(HOUR_13, { columns: [{ name: 'id', type: 'BYTE_ARRAY' }] });
    const append: StagedAppend = { prefix: HOUR_13, firstPosition: '1', offset: 0, length: 10, records: 1, columns: (known) => [...known, { name: 'mount', type: 'DOUBLE' }] };
    const [merged] = appendStaged({ staged: ['s0'], files: [open] }, 's1', [append], 5, (prefix) => prefix).files;
    expect(merged?.columns).toEqual([{ name: 'id', type: 'BYTE_ARRAY' }, { name: 'mount', type: 'DOUBLE' }]);
    expect(appendStaged({ staged: ['s0'], files: [open] }, 's1', [], 5, (prefix) => prefix)).toEqual({ staged: ['s0'], files: [open] });
  });

  it('drops staged objects no open or pending file refers to, renumbering the segments of both', () => {
    const state: WriterShardState = {
      ...EMPTY_WRITER_STATE,
      version: 4,
      staged: ['s0', 's1', 's2', 's3', 's4'],
      files: [file(HOUR_13, { key: 'open', segments: [{ object: 3, offset: 5, length: 10 }, { object: 4, offset: 0, length: 7 }] })],
      pending: [file(HOUR_14, { key: 'pending', segments: [{ object: 1, offset: 0, length: 20 }, { object: 3, offset: 0, length: 5 }] })],
      unmarked: [{ prefix: HOUR_13, lastCommitAt: 1 }],
    };
    const { state: pruned, dropped } = pruneStaged(state);
    expect(dropped).toEqual(['s0', 's2']);
    expect(pruned.staged).toEqual(['s1', 's3', 's4']);
    expect(pruned.files[0]?.segments).toEqual([{ object: 1, offset: 5, length: 10 }, { object: 2, offset: 0, length: 7 }]);
    expect(pruned.pending[0]?.segments).toEqual([{ object: 0, offset: 0, length: 20 }, { object: 1, offset: 0, length: 5 }]);
    expect(pruned).toMatchObject({ version: 4, unmarked: state.unmarked });
    // Each segment still names the same staged object.
    const named = (s: WriterShardState) => [...s.files, ...s.pending].flatMap((f) => f.segments.map((segment) => s.staged[segment.object]));
    expect(named(pruned)).toEqual(named(state));
  });

  it('drops every staged object once no file refers to any', () => {
    const state: WriterShardState = { ...EMPTY_WRITER_STATE, version: 2, staged: ['s0', 's1'], files: [file(HOUR_13, { segments: [] })] };
    expect(pruneStaged(state)).toEqual({ state: { ...state, staged: [] }, dropped: ['s0', 's1'] });
  });
});
