import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/stack/emulators.js';
import { queries, type QueryName } from '../../../queries/index.js';
import { MAX_RECEIPT_NUM } from '../../../shared/generator/transactions.js';
import { primaryKeyOf } from '../../../shared/primaryKey.js';
import type { RawTransaction } from '../../../shared/types.js';
import { buildAggregateInput } from '../../helpers/aggregateInput.js';
import { eddyProcess } from '../../helpers/cli.js';
import { diffRows } from '../../helpers/compareRows.js';
import { referenceOfLines } from '../../helpers/referenceQueries.js';

// `eddy run` as a user types it, in its own process, on a private stack (its own state
// directory and free ports), against an independent computation of what it must export.
let work: string;
let env: NodeJS.ProcessEnv;
let ports: string[];

/** Three generated days (one store) with copies sent right after their original, rows swapped within the watermark, and two malformed lines. */
const input = buildAggregateInput({ seed: 31, days: 3, stores: 1, duplicateRate: 0.02, lateCount: 4 });
const parsed = (line: string): Partial<RawTransaction> | undefined => {
  try {
    return JSON.parse(line) as Partial<RawTransaction>;
  } catch {
    return undefined;
  }
};
/** The lines of phase 1 the pipeline takes: JSON and complete (buildAggregateInput's schema violation lacks `mount`). */
const valid = input.phase1.map(parsed).filter((row): row is RawTransaction => row?.mount !== undefined);
const generated = valid[0] as RawTransaction;
/** A row naming a product the dimension does not have. */
const unknownProduct = JSON.stringify({ ...generated, receipt_num: String(MAX_RECEIPT_NUM + 700_000), product_cd: '0000000000000' });
/** The file: phase 1, then rows from the first day at the end (late, if the watermark has passed their windows by then). */
const lines = [...input.phase1, unknownProduct, ...input.phase2];
const malformedText = input.phase1.find((line) => parsed(line) === undefined) as string;

const walk = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { withFileTypes: true, recursive: true })).filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'eddy-run-'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_ENDPOINT_URL')));
  env = { ...clean, EDDY_STATE_DIR: join(work, 'state') };
  ports = ['--kinesis-port', String(await freePort()), '--dynamodb-port', String(await freePort()), '--s3-port', String(await freePort())];
  await writeFile(join(work, 'transactions.jsonl'), `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await eddyProcess(['stack', 'down'], { env });
  await rm(work, { recursive: true, force: true });
});

describe('CLI: eddy run', () => {
  it('replays a file through the whole pipeline and exports every object, every query’s final rows and balanced stats', async () => {
    const out = join(work, 'export');
    const run = await eddyProcess(['run', '--transactions', join(work, 'transactions.jsonl'), '--export', out, '--timeout', '240', ...ports], { env, timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('every file committed');
    expect((await eddyProcess(['stack', 'status'], { env })).stdout).toContain('No stack is running');
    const files = await walk(join(out, 's3'));
    const read = (key: string): Promise<string> => readFile(join(out, 's3', key), 'utf8');

    // Error documents: the malformed line, the schema violation and the unknown product, each in its folder.
    const errors = await Promise.all(
      files
        .filter((key) => key.startsWith('data/stream_error_data/'))
        .map(async (key) => ({ type: key.split('/').at(-2), raw: Buffer.from((JSON.parse(await read(key)) as { rawData: string }).rawData, 'base64').toString('utf8') })),
    );
    expect(errors.filter((doc) => doc.type === 'malformed').map((doc) => doc.raw)).toEqual([malformedText]);
    expect(errors.filter((doc) => doc.type === 'schema-violation').map((doc) => JSON.parse(doc.raw) as Record<string, unknown>)).toMatchObject([{ receipt_num: String(MAX_RECEIPT_NUM + 500_000) }]);
    expect(errors.filter((doc) => doc.type === 'unknown-product').map((doc) => (JSON.parse(doc.raw) as { product_cd: string }).product_cd)).toEqual(['0000000000000']);
    // A row produced at the end of the file is late only if the watermark passed its window meanwhile: the late-data documents say which.
    const late = new Set(errors.filter((doc) => doc.type === 'late-data').map((doc) => (JSON.parse(doc.raw) as { pk: string }).pk));
    expect([...late].filter((pk) => !input.latePks.has(pk))).toEqual([]);

    // Every shipped query's final rows equal the reference computed from the file.
    const expected = await referenceOfLines(lines, late);
    for (const name of Object.keys(queries) as QueryName[]) {
      const text = await readFile(join(out, 'results', `${name}.jsonl`), 'utf8');
      const rows = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(diffRows(rows, expected[name]), name).toEqual([]);
    }

    // Each clean record (late ones too: the raw writer keeps them) is in exactly one committed file.
    const dataFiles = files.filter((key) => key.startsWith('data/stream_data/') && !key.endsWith('/_SUCCESS'));
    const written = (await Promise.all(dataFiles.map(read))).flatMap((text) => text.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { pk: string }).pk));
    const cleanPks = new Set([...valid.map(primaryKeyOf), ...input.latePks]);
    expect(written.length).toBe(cleanPks.size);
    expect(new Set(written)).toEqual(cleanPks);
    // Every partition holding data has its commit marker, the summaries' too; nothing staged is left.
    const partitions = new Set(files.filter((key) => /^data\/(stream_data|summary)\//.test(key) && !key.endsWith('/_SUCCESS')).map((key) => key.slice(0, key.lastIndexOf('/') + 1)));
    expect(partitions.size).toBeGreaterThan(50);
    expect([...partitions].filter((prefix) => !files.includes(`${prefix}_SUCCESS`))).toEqual([]);
    expect(files.filter((key) => key.startsWith('_eddy/'))).toEqual([]);

    // Per stage, in = out + errors + duplicates (+ already published, replayed, failed).
    const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8')) as {
      produced: { lines: number; records: number; unparseable: number };
      stages: { stage: string; in: number; out: number; errors: Record<string, number>; errorCount: number; duplicates: number; late: number; alreadyPublished: number; replayed: number; failed: number; balanced: boolean }[];
    };
    expect(stats.produced).toEqual({ lines: lines.length, records: lines.length, unparseable: 1 });
    expect(stats.stages.map((s) => s.stage)).toEqual(['enrich', 'dedupe', 'aggregate', 's3-writer:raw', 's3-writer:summary']);
    for (const s of stats.stages) {
      expect(s.in, s.stage).toBe(s.out + s.errorCount + s.duplicates + s.alreadyPublished + s.replayed + s.failed);
      expect(s.balanced, s.stage).toBe(true);
    }
    const stage = (name: string): (typeof stats.stages)[number] => stats.stages.find((s) => s.stage === name) as (typeof stats.stages)[number];
    expect(stage('enrich').errors).toMatchObject({ not_json: expect.any(Number), schema_violation: expect.any(Number), unknown_product: expect.any(Number) });
    expect(stage('dedupe').duplicates).toBeGreaterThanOrEqual(input.duplicates);
    expect(stage('aggregate').late).toBeGreaterThanOrEqual(late.size);
  }, 330_000);

  it('stops before starting a stack when the --transactions file is missing or --format is bad, naming the flag', async () => {
    const missing = await eddyProcess(['run', '--transactions', join(work, 'absent.csv'), '--export', join(work, 'never'), ...ports], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--transactions');
    expect(missing.stderr).toContain('absent.csv');
    const format = await eddyProcess(['run', '--transactions', join(work, 'transactions.jsonl'), '--export', join(work, 'never'), '--format', 'xml', ...ports], { env });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("--format: expected one of csv, jsonl, got 'xml'");
    const required = await eddyProcess(['run', '--transactions', join(work, 'transactions.jsonl'), ...ports], { env });
    expect(required.code).toBe(2);
    expect(required.stderr).toContain('--export');
  });

  it('exits non-zero naming what is left when the pipeline does not drain within --timeout, and stops the stack', async () => {
    const run = await eddyProcess(['run', '--transactions', join(work, 'transactions.jsonl'), '--export', join(work, 'too-slow'), '--timeout', '1', ...ports], { env, timeoutMs: 180_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the pipeline did not drain within 1 s of the last record \(--timeout\): still busy: /);
    expect((await eddyProcess(['stack', 'status'], { env })).stdout).toContain('No stack is running');
  }, 200_000);
});
