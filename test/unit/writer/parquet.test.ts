import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../../shared/errors.js';
import { mergeColumns, ParquetFileBuilder, type ParquetColumn } from '../../../shared/writer/parquet.js';

type Row = Record<string, unknown>;

/** Saves the file and runs each SQL over it (`$path` stands for the file), as JS rows. */
async function query(file: Buffer, ...sqls: string[]): Promise<Row[][]> {
  const path = join(mkdtempSync(join(tmpdir(), 'eddy-parquet-')), 'part.parquet');
  writeFileSync(path, file);
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const results: Row[][] = [];
    for (const sql of sqls) results.push((await connection.runAndReadAll(sql.replaceAll('$path', `'${path}'`))).getRowObjectsJS());
    connection.closeSync();
    return results;
  } finally {
    instance.closeSync();
  }
}

const chunks: Row[][] = [
  [
    { id: 1, store_name: '등촌점', division_name: '생활잡화', mount: 1000, is_pb: false, tags: { pb: 'N' } },
    { id: 2, store_name: '역삼점', division_name: null, mount: 3.5, is_pb: true, tags: ['a', 'b'] },
  ],
  [
    { id: 3, store_name: '강남점', mount: null },
    { id: 4, store_name: null, division_name: '음료', mount: 1000, is_pb: false, tags: 'plain' },
    { id: 5, store_name: '등촌점', division_name: '담배', mount: 2500.25, is_pb: null, tags: null },
  ],
  [
    { id: 6, store_name: '역삼점', division_name: '생활잡화', mount: 0, is_pb: true, tags: { nested: { n: 1 } } },
    { id: 9_007_199_254_740_991, store_name: '', division_name: '과자', mount: -1.5 },
  ],
];

describe('Writer: parquet', () => {
  it('writes appended chunks in row groups that DuckDB reads back value for value', async () => {
    const columns = chunks.reduce<ParquetColumn[]>((known, chunk) => mergeColumns(known, chunk), []);
    const builder = new ParquetFileBuilder(columns, { rowGroupSize: 3 });
    for (const chunk of chunks) builder.append(chunk);
    const file = builder.finish();

    const [rows, types, groups] = await query(
      file,
      'SELECT * FROM read_parquet($path)',
      'SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($path))',
      'SELECT count(DISTINCT row_group_id)::INTEGER AS groups, sum(row_group_num_rows)::INTEGER AS rows FROM (SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata($path))',
    );
    expect(types).toEqual([
      { column_name: 'id', column_type: 'BIGINT' },
      { column_name: 'store_name', column_type: 'VARCHAR' },
      { column_name: 'division_name', column_type: 'VARCHAR' },
      { column_name: 'mount', column_type: 'DOUBLE' },
      { column_name: 'is_pb', column_type: 'BOOLEAN' },
      { column_name: 'tags', column_type: 'JSON' },
    ]);
    expect(rows).toEqual([
      { id: 1n, store_name: '등촌점', division_name: '생활잡화', mount: 1000, is_pb: false, tags: '{"pb":"N"}' },
      { id: 2n, store_name: '역삼점', division_name: null, mount: 3.5, is_pb: true, tags: '["a","b"]' },
      { id: 3n, store_name: '강남점', division_name: null, mount: null, is_pb: null, tags: null },
      { id: 4n, store_name: null, division_name: '음료', mount: 1000, is_pb: false, tags: '"plain"' },
      { id: 5n, store_name: '등촌점', division_name: '담배', mount: 2500.25, is_pb: null, tags: null },
      { id: 6n, store_name: '역삼점', division_name: '생활잡화', mount: 0, is_pb: true, tags: '{"nested":{"n":1}}' },
      { id: 9_007_199_254_740_991n, store_name: '', division_name: '과자', mount: -1.5, is_pb: null, tags: null },
    ]);
    expect(groups).toEqual([{ groups: 3, rows: 7 }]);
  });

  it('writes values converted to a widened column type', async () => {
    const records: Row[] = [{ code: 42, flag: true }, { code: '0042', flag: 1.5 }, { code: false, flag: null }];
    const builder = new ParquetFileBuilder(mergeColumns([], records));
    builder.append(records);
    const [rows] = await query(builder.finish(), 'SELECT * FROM read_parquet($path)');
    expect(rows).toEqual([
      { code: '42', flag: 'true' },
      { code: '0042', flag: '1.5' },
      { code: 'false', flag: null },
    ]);
  });

  it('writes a file with no rows that keeps its columns', async () => {
    const builder = new ParquetFileBuilder([{ name: 'qty', type: 'INT64' }, { name: 'name', type: 'STRING' }]);
    builder.append([]);
    const [count, types] = await query(builder.finish(), 'SELECT count(*)::INTEGER AS n FROM read_parquet($path)', 'SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($path))');
    expect(count).toEqual([{ n: 0 }]);
    expect(types).toEqual([{ column_name: 'qty', column_type: 'BIGINT' }, { column_name: 'name', column_type: 'VARCHAR' }]);
  });

  it('writes 100,000 sample-shaped rows in bounded row groups', async () => {
    const sample = JSON.parse(readFileSync(new URL('../../../data/sample_stream_records.jsonl', import.meta.url), 'utf8').split('\n')[0] as string) as Row;
    expect(Object.keys(sample)).toHaveLength(19);
    const total = 100_000;
    const chunkSize = 5_000;
    let columns: ParquetColumn[] = [];
    let expectedMount = 0;
    const chunkAt = (start: number): Row[] =>
      Array.from({ length: chunkSize }, (_, k) => {
        const i = start + k;
        return { ...sample, receipt_num: String(i), qty: (i % 7) + 1, mount: 1000 + (i % 100) * 0.25, store_name: i % 3 === 0 ? '등촌점' : '역삼점', is_pb: i % 10 === 0 ? 'Y' : 'N', event_time: new Date(Date.UTC(2023, 8, 7) + i).toISOString() };
      });
    // The writer tracks the columns while it stages, then builds the file chunk by chunk.
    for (let start = 0; start < total; start += chunkSize) columns = mergeColumns(columns, chunkAt(start));
    const builder = new ParquetFileBuilder(columns);
    for (let start = 0; start < total; start += chunkSize) {
      const chunk = chunkAt(start);
      for (const record of chunk) expectedMount += record.mount as number;
      builder.append(chunk);
    }
    const file = builder.finish();

    expect(columns.map((column) => column.name)).toEqual(Object.keys(sample));
    expect(columns.filter((column) => column.type !== 'STRING')).toEqual([{ name: 'qty', type: 'INT64' }, { name: 'mount', type: 'DOUBLE' }]);
    const [totals, groups] = await query(
      file,
      "SELECT count(*)::INTEGER AS n, sum(mount) AS mount, sum(qty)::INTEGER AS qty, count(DISTINCT receipt_num)::INTEGER AS receipts, count(*) FILTER (WHERE division_name = '생활잡화')::INTEGER AS named FROM read_parquet($path)",
      'SELECT count(DISTINCT row_group_id)::INTEGER AS groups FROM parquet_metadata($path)',
    );
    expect(totals).toEqual([{ n: total, mount: expectedMount, qty: Array.from({ length: total }, (_, i) => (i % 7) + 1).reduce((a, b) => a + b, 0), receipts: total, named: total }]);
    expect(groups).toEqual([{ groups: 2 }]);
  });

  it('refuses a record with a value for an unknown column, or one its column cannot hold', () => {
    const builder = new ParquetFileBuilder([{ name: 'qty', type: 'INT64' }]);
    expect(() => builder.append([{ qty: 1, extra: 'x' }])).toThrow(PipelineError);
    expect(() => builder.append([{ qty: 1.5 }])).toThrow(/qty \(INT64\) cannot hold 1.5/);
    expect(() => builder.append([{ qty: 1, extra: null }])).not.toThrow();
  });

  it('refuses appends after the file is finished', () => {
    const builder = new ParquetFileBuilder([{ name: 'qty', type: 'INT64' }]);
    builder.finish();
    expect(() => builder.append([{ qty: 1 }])).toThrow(/already finished/);
    expect(() => builder.finish()).toThrow(/already finished/);
  });

  describe('mergeColumns', () => {
    const typesOf = (...records: Row[]) => Object.fromEntries(mergeColumns([], records).map((column) => [column.name, column.type]));

    it('infers a type from the first non-null value', () => {
      expect(typesOf({ s: 'a', i: 1, d: 3.5, b: true, o: { a: 1 }, a: [1], n: null, u: undefined }, { n: null })).toEqual({ s: 'STRING', i: 'INT64', d: 'DOUBLE', b: 'BOOLEAN', o: 'JSON', a: 'JSON' });
      expect(typesOf({ x: null }, { x: 2 })).toEqual({ x: 'INT64' });
    });

    it('widens INT64 and DOUBLE to DOUBLE in either order', () => {
      expect(typesOf({ a: 1000, b: 3.5 }, { a: 3.5, b: 1000 })).toEqual({ a: 'DOUBLE', b: 'DOUBLE' });
    });

    it('keeps a column seeded as DOUBLE a DOUBLE when its values are whole (JSON.parse turns 1000.0 into 1000)', () => {
      expect(mergeColumns([{ name: 'mount', type: 'DOUBLE' }], [JSON.parse('{"mount": 1000.0}') as Row])).toEqual([{ name: 'mount', type: 'DOUBLE' }]);
      expect(mergeColumns([], [JSON.parse('{"mount": 1000.0}') as Row])).toEqual([{ name: 'mount', type: 'INT64' }]);
    });

    it('widens JSON with anything to JSON', () => {
      expect(typesOf({ a: {}, b: 'x', c: 1.5, d: true }, { a: 'x', b: [1], c: {}, d: [] })).toEqual({ a: 'JSON', b: 'JSON', c: 'JSON', d: 'JSON' });
    });

    it('widens any other conflict to STRING, and STRING stays STRING', () => {
      expect(typesOf({ a: 1, b: true, c: 'x', d: 1.5 }, { a: 'x', b: 1, c: 2, d: false }, { c: 3.5 })).toEqual({ a: 'STRING', b: 'STRING', c: 'STRING', d: 'STRING' });
    });

    it('keeps the known columns first and adds new ones in first-seen order, without changing its input', () => {
      const known: readonly ParquetColumn[] = Object.freeze([{ name: 'z', type: 'INT64' }, { name: 'a', type: 'STRING' }]);
      const merged = mergeColumns(known, [{ m: 1, z: 0.5 }, { b: 'x', a: 'y', m: 2 }]);
      expect(merged).toEqual([{ name: 'z', type: 'DOUBLE' }, { name: 'a', type: 'STRING' }, { name: 'm', type: 'INT64' }, { name: 'b', type: 'STRING' }]);
      expect(known).toEqual([{ name: 'z', type: 'INT64' }, { name: 'a', type: 'STRING' }]);
    });
  });
});
