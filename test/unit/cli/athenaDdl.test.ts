import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../../cli/commands/athenaDdl.js';
import { queries } from '../../../queries/index.js';
import { ConfigError } from '../../../shared/errors.js';
import { runCommand } from '../../helpers/cli.js';

const run = (...argv: string[]) => runCommand(command, ...argv);

const statementsOf = (stdout: string): string[] => stdout.trim().split(/;\n\n/);
const TABLES = ['transaction_order', 'transaction_errors', ...Object.keys(queries)];

afterEach(() => {
  vi.useRealTimers();
});

describe('CLI: eddy athena-ddl', () => {
  it('prints CREATE DATABASE, then a table for the raw records, the errors and every query', async () => {
    const { stdout, error } = await run('--bucket', 'my-bucket', '--database', 'sales_lake', '--last-year', '2020');
    expect(error).toBeUndefined();
    const statements = statementsOf(stdout);
    expect(statements[0]).toBe('CREATE DATABASE IF NOT EXISTS sales_lake');
    expect(statements.slice(1).map((statement) => /^CREATE EXTERNAL TABLE IF NOT EXISTS sales_lake\.(\w+) \(/.exec(statement)?.[1])).toEqual(TABLES);
    expect(stdout).toContain("LOCATION 's3://my-bucket/data/stream_data/'");
    expect(stdout).toContain("LOCATION 's3://my-bucket/data/summary/hourly_sales/'");
    expect(stdout.match(/'projection\.year\.range' = '2015,2020'/g)?.length).toBe(TABLES.length);
  });

  it('prints only the table --table names', async () => {
    const { stdout, error } = await run('--bucket', 'my-bucket', '--table', 'hourly_top3_divisions');
    expect(error).toBeUndefined();
    expect(statementsOf(stdout)).toHaveLength(1);
    expect(stdout).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS eddy\.hourly_top3_divisions \(/);
    expect(stdout).toContain('`rownum` int');
  });

  it('projects up to next year by default', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-06-30T12:00:00Z'));
    const { stdout } = await run('--bucket', 'my-bucket', '--table', 'transaction_order');
    expect(stdout).toContain("'projection.year.range' = '2015,2032'");
  });

  it('takes the bucket from serverless.yml for --stage, offline', async () => {
    const { stdout, error } = await run('--stage', 'prod', '--table', 'sales_kpi');
    expect(error).toBeUndefined();
    expect(stdout).toContain("LOCATION 's3://eddy-prod-data/data/summary/sales_kpi/'");
  });

  it.each([
    [['--table', 'orders'], '--table', `unknown table 'orders'; known tables: ${TABLES.join(', ')}`],
    [['--last-year', '2014'], '--last-year', 'expected an integer ≥ 2015'],
    [['--last-year', 'next'], '--last-year', "got 'next'"],
    [['--database', 'Sales-Lake'], '--database', "got 'Sales-Lake'"],
    [['--bucket', 'My_Bucket'], '--bucket', "got 'My_Bucket'"],
  ])('refuses %j naming the flag', async (argv, flag, message) => {
    const { stdout, error } = await run('--bucket', 'my-bucket', ...argv);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(flag);
    expect(error?.message).toContain(message);
    expect(stdout).toBe('');
  });

  it('exits with code 2 and the message on a bad flag', async () => {
    const failed = await promisify(execFile)('node', ['bin/eddy.js', 'athena-ddl', '--bucket', 'my-bucket', '--table', 'orders'], { timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("eddy: --table: unknown table 'orders'; known tables: transaction_order, transaction_errors,");
  });
});
