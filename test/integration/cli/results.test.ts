import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { beforeAll, describe, expect, it } from 'vitest';
import { command as results } from '../../../cli/commands/results.js';
import { command as watermark } from '../../../cli/commands/watermark.js';
import { createDynamoDBDocumentClient, createKinesisClient } from '../../../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../../../shared/adapters/DynamoDBResultStore.js';
import { FINAL_WATERMARK } from '../../../shared/aggregate/control.js';
import { eventTimeOf } from '../../../shared/aggregate/eventTime.js';
import type { ResultRow } from '../../../shared/aggregate/rows.js';
import { createTestStream, createTestTable, uniqueName, useTestStack } from '../../helpers/stack.js';
import { eddyProcess, runCommand } from '../../helpers/cli.js';

// EDDY_TARGET=aws makes the commands skip the `eddy stack` state file and take their endpoints
// from the standard variables, which point at the suite's stack: the path a real AWS account
// takes, on private tables and streams.
useTestStack();
process.env.EDDY_TARGET = 'aws';
const table = uniqueName('results');

const eddy = (...args: string[]) => eddyProcess(args);

const run = runCommand;

const at = (text: string): number => eventTimeOf(text) as number;
const hour = (h: number): { start: number; end: number } => ({ start: at(`2015-01-05T0${h}:00:00`), end: at(`2015-01-05T0${h + 1}:00:00`) });
const rowsOf = (h: number): ResultRow[] => [
  { window_start: `2015-01-05T0${h}:00:00`, window_end: `2015-01-05T0${h + 1}:00:00`, division_name: null, sum_of_mount: 1000 * h + 500 },
  { window_start: `2015-01-05T0${h}:00:00`, window_end: `2015-01-05T0${h + 1}:00:00`, division_name: '담배', sum_of_mount: 1000 * h },
  { window_start: `2015-01-05T0${h}:00:00`, window_end: `2015-01-05T0${h + 1}:00:00`, division_name: 'Snacks, "Salty"', sum_of_mount: 500 },
];
const jsonLines = (stdout: string): ResultRow[] => stdout.trim().split('\n').map((line) => JSON.parse(line) as ResultRow);

beforeAll(async () => {
  await createTestTable(new DynamoDBClient({}), table, 'pk', 'sk');
  const store = new DynamoDBResultStore(createDynamoDBDocumentClient(), table);
  await store.putWindows('hourly_division_rollup', [1, 2, 3].map((h) => ({ window: hour(h), rows: rowsOf(h), revision: 1 })));
  await store.putContinuous('sales_kpi', [{ last_tr_datetime: '2015-01-05T03:59:59', visitors: 42, sum_of_sales: 9000 }], 7);
});

describe('CLI: eddy results', () => {
  it('prints every window as JSON lines, a table and CSV, in the query’s column order', async () => {
    const json = await run(results, 'hourly_division_rollup', '--table', table, '--format', 'json');
    expect(json.error).toBeUndefined();
    expect(jsonLines(json.stdout)).toEqual([1, 2, 3].flatMap(rowsOf));
    expect(json.stdout.split('\n')[0]).toBe('{"window_start":"2015-01-05T01:00:00","window_end":"2015-01-05T02:00:00","division_name":null,"sum_of_mount":1500}');

    const tableOut = await run(results, 'hourly_division_rollup', '--table', table);
    expect(tableOut.stdout.split('\n').slice(0, 5)).toEqual([
      'window_start         window_end           division_name    sum_of_mount',
      '-------------------  -------------------  ---------------  ------------',
      '2015-01-05T01:00:00  2015-01-05T02:00:00  ∅                       1,500',
      '2015-01-05T01:00:00  2015-01-05T02:00:00  담배                    1,000',
      '2015-01-05T01:00:00  2015-01-05T02:00:00  Snacks, "Salty"           500',
    ]);
    expect(tableOut.stdout).toMatch(/\n\(9 rows\)\n$/);

    const csv = await run(results, 'hourly_division_rollup', '--table', table, '--format', 'csv');
    expect(csv.stdout.split('\r\n').slice(0, 4)).toEqual([
      'window_start,window_end,division_name,sum_of_mount',
      '2015-01-05T01:00:00,2015-01-05T02:00:00,,1500',
      '2015-01-05T01:00:00,2015-01-05T02:00:00,담배,1000',
      '2015-01-05T01:00:00,2015-01-05T02:00:00,"Snacks, ""Salty""",500',
    ]);
    expect(csv.stdout.split('\r\n')).toHaveLength(1 + 9 + 1);
  });

  it('selects windows by window_start in [--from, --to), as date-times or dates', async () => {
    const starts = async (...range: string[]): Promise<string[]> => {
      const { stdout, error } = await run(results, 'hourly_division_rollup', '--table', table, '--format', 'json', ...range);
      expect(error).toBeUndefined();
      return [...new Set(stdout === '' ? [] : jsonLines(stdout).map((row) => row.window_start as string))];
    };
    expect(await starts('--from', '2015-01-05T02:00:00', '--to', '2015-01-05T03:00:00')).toEqual(['2015-01-05T02:00:00']);
    expect(await starts('--from', '2015-01-05T02:30:00')).toEqual(['2015-01-05T03:00:00']);
    expect(await starts('--from', '2015-01-05', '--to', '2015-01-05T02:00:00')).toEqual(['2015-01-05T01:00:00']);
    expect(await starts('--to', '2015-01-05T03:00:01')).toEqual(['2015-01-05T01:00:00', '2015-01-05T02:00:00', '2015-01-05T03:00:00']);
    expect(await starts('--from', '2015-01-06')).toEqual([]);
  });

  it('prints a continuous query’s current rows and refuses --from/--to for it', async () => {
    const current = await run(results, 'sales_kpi', '--table', table, '--format', 'json');
    expect(current.stdout).toBe('{"last_tr_datetime":"2015-01-05T03:59:59","visitors":42,"sum_of_sales":9000}\n');
    const ranged = await run(results, 'sales_kpi', '--table', table, '--to', '2015-01-05');
    expect(ranged.error?.message).toMatch(/^--to: sales_kpi is a continuous query/);
  });

  it('names --to when it is not after --from, and --table when the table does not exist', async () => {
    const reversed = await run(results, 'hourly_sales', '--table', table, '--from', '2015-01-05T02:00:00', '--to', '2015-01-05T01:00:00');
    expect(reversed.error?.message).toMatch(/^--to: must be later than --from/);
    const missing = await run(results, 'hourly_sales', '--table', 'no-such-results');
    expect(missing.error?.message).toMatch(/^--table: table no-such-results does not exist/);
  });

  it('exits with code 2 on an unknown query or a bad --from, naming it', async () => {
    const [unknown, badFrom] = await Promise.all([eddy('results', 'hourly_salez', '--table', table), eddy('results', 'hourly_sales', '--table', table, '--from', '2015-02-30')]);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain("eddy: eddy results: unknown query 'hourly_salez'; known queries: division_totals, sales_kpi, hourly_sales,");
    expect(badFrom).toMatchObject({ code: 2, stdout: '' });
    expect(badFrom.stderr).toContain("eddy: --from: expected a local date-time YYYY-MM-DDTHH:MM:SS or a date YYYY-MM-DD, got '2015-02-30'");
  });
});

describe('CLI: eddy watermark', () => {
  it('puts exactly one final watermark on each open shard of a 3-shard stream', async () => {
    const kinesis = createKinesisClient();
    const stream = uniqueName('clean');
    await createTestStream(kinesis, stream, 3);
    const sent = await eddy('watermark', '--final', '--stream', stream);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain(`Final watermark sent to 3 open shards of ${stream}:`);

    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
    expect(Shards).toHaveLength(3);
    for (const { ShardId } of Shards) {
      const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
      const payloads = Records.map((record) => JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as unknown);
      expect(payloads, ShardId).toEqual([FINAL_WATERMARK]);
      expect(sent.stdout).toContain(`  ${ShardId}  ${Records[0]?.SequenceNumber}`);
    }
  });

  it('asks for --final without it, and names --stream when the stream does not exist', async () => {
    const refused = await run(watermark, '--stream', 'eddy-test-clean');
    expect(refused.error?.message).toMatch(/^--final: /);
    const missing = await run(watermark, '--final', '--stream', 'no-such-clean');
    expect(missing.error?.message).toMatch(/^--stream: stream no-such-clean does not exist/);
  });
});
