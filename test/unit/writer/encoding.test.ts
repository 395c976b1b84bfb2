import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { encodeChunk } from '../../../shared/writer/encoding.js';

const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ n: from + i, division_name: i % 2 === 0 ? '담배' : null }));

describe('Writer: chunk encoding', () => {
  it('writes JSON lines whose appended chunks make one file', () => {
    const file = Buffer.concat([encodeChunk(rows(0, 2), 'json'), encodeChunk(rows(2, 1), 'json')]).toString('utf8');
    expect(file.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { n: number }).map((row) => row.n)).toEqual([0, 1, 2]);
  });

  it('writes gzip chunks as members of one stream, which gunzip and DuckDB read whole', async () => {
    const file = Buffer.concat([encodeChunk(rows(0, 500), 'gzip'), encodeChunk(rows(500, 500), 'gzip'), encodeChunk(rows(1000, 1), 'gzip')]);
    expect(gunzipSync(file).toString('utf8').trim().split('\n')).toHaveLength(1001);
    const path = join(mkdtempSync(join(tmpdir(), 'eddy-gzip-')), 'part.json.gz');
    writeFileSync(path, file);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const result = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS rows, sum(n)::INTEGER AS total, count(division_name)::INTEGER AS named FROM read_json('${path}', format = 'newline_delimited', compression = 'gzip')`);
    expect(result.getRowObjects()).toEqual([{ rows: 1001, total: (1000 * 1001) / 2, named: 501 }]);
  });
});
