import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { command as query } from '../../../cli/commands/query.js';
import { createS3Client } from '../../../shared/adapters/clients.js';
import { LakeQueryError } from '../../../shared/lake/queryLake.js';
import { createTestBucket, uniqueName, useTestStack } from '../../helpers/stack.js';
import { eddyProcess, runCommand } from '../../helpers/cli.js';

// EDDY_TARGET=aws: endpoints from the standard variables, which point at the suite's stack.
useTestStack();
process.env.EDDY_TARGET = 'aws';
const bucket = uniqueName('query');

const eddy = (...args: string[]) => eddyProcess(args);

const run = runCommand;

const record = (tr_time: string, division_name: string, mount: number): Record<string, string | number> => ({
  tr_date: '2015-01-05', tr_time, store_cd: 'S1', store_name: 'Store 1', pos_num: '1', receipt_num: '1', product_cd: 'P1', qty: 1, mount,
  division_cd: 'D', division_name, maincategory_cd: 'M', maincategory_name: 'Main', subcategory_cd: 'C', subcategory_name: 'Sub',
  product_name: 'Thing', is_pb: 'N', tr_datetime: `2015-01-05T${tr_time}`, event_time: '2026-01-01T00:00:00Z', pk: `pk-${tr_time}`,
});

const SQL = 'SELECT division_name, count(*) AS n, sum(mount) AS total FROM transaction_order GROUP BY 1 ORDER BY total DESC';

beforeAll(async () => {
  const s3 = createS3Client();
  await createTestBucket(s3, bucket);
  const lines = [record('13:00:01', '담배', 4500), record('13:10:00', '담배', 4500), record('13:20:00', 'Snacks, "Salty"', 1250.5)];
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/stream_data/year=2015/month=01/day=05/hour=13/part-0000.json', Body: lines.map((line) => `${JSON.stringify(line)}\n`).join('') }));
});

describe('CLI: eddy query', () => {
  it('prints the rows as a table, JSON lines and CSV', async () => {
    const table = await run(query, SQL, '--bucket', bucket);
    expect(table.error).toBeUndefined();
    expect(table.stdout).toBe(
      ['division_name    n    total', '---------------  -  -------', '담배             2    9,000', 'Snacks, "Salty"  1  1,250.5', '(2 rows)', ''].join('\n'),
    );
    const json = await run(query, SQL, '--bucket', bucket, '--format', 'json');
    expect(json.stdout).toBe('{"division_name":"담배","n":2,"total":9000}\n{"division_name":"Snacks, \\"Salty\\"","n":1,"total":1250.5}\n');
    const csv = await run(query, SQL, '--bucket', bucket, '--format', 'csv');
    expect(csv.stdout).toBe('division_name,n,total\r\n담배,2,9000\r\n"Snacks, ""Salty""",1,1250.5\r\n');
  });

  it('reports a SQL error as DuckDB words it, and a bad --format by name', async () => {
    const bad = await run(query, 'SELECT nope FROM transaction_order', '--bucket', bucket);
    expect(bad.error).toBeInstanceOf(LakeQueryError);
    expect(bad.error?.message).toMatch(/^SQL error: Binder Error: Referenced column "nope" not found/);
    const format = await run(query, 'SELECT 1', '--bucket', bucket, '--format', 'xml');
    expect(format.error?.message).toBe("--format: expected one of table, json, csv, got 'xml'");
    const missing = await run(query, '--bucket', bucket);
    expect(missing.error?.message).toMatch(/^eddy query: give the SQL to run/);
    const noBucket = await run(query, 'SELECT 1', '--bucket', 'no-such-lake');
    expect(noBucket.error?.message).toBe("--bucket: bucket no-such-lake does not exist: run 'eddy stack up' (or pass --bucket)");
  });

  it('exits with code 2 and DuckDB’s message on bad SQL', async () => {
    const failed = await eddy('query', 'SELEC 1', '--bucket', bucket);
    expect(failed).toMatchObject({ code: 2, stdout: '' });
    expect(failed.stderr).toMatch(/^eddy: SQL error: Parser Error: syntax error at or near "SELEC"/);
  });
});
