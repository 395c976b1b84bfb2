import { mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createDynamoDBDocumentClient, createS3Client } from '../../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../../shared/adapters/DynamoDBResultStore.js';
import { forEachConcurrent } from '../../shared/batching/forEachConcurrent.js';
import { ConfigError } from '../../shared/errors.js';
import { DEFAULT_SEED } from '../../shared/generator/options.js';
import { INPUT_FORMATS, parseLines, type InputFormat } from '../../shared/producer/sources.js';
import { queries, type QueryName } from '../../queries/index.js';
import { waitForCommits } from '../../local/demo/commits.js';
import { exportBucket } from '../../local/demo/exportBucket.js';
import { readStackState } from '../../local/stack/stackState.js';
import { runPipeline } from '../../local/demo/pipeline.js';
import { balances, formatStageTotals, readStageTotals, rejectedCount, WRITER_STAGE, type StageTotals } from '../../local/stats.js';
import { choiceFlag, numberFlag, stringFlag, type Command, type Flags } from '../command.js';
import { readLines } from '../resources.js';
import { SHARDS_FLAG, STACK_PORT_FLAGS, stackPorts, stackShards } from '../stackFlags.js';
import { columnsOf, formatJsonLines } from './results.js';

/** Queries whose results are read at once while exporting. */
const RESULT_READS = 4;

/** Enough of a CSV file to hold its header row. */
const HEADER_BYTES = 64 * 1024;

const count = (value: number): string => value.toLocaleString('en-US');

/** The input format of a file: by extension (as `eddy produce` decides it), CSV otherwise. */
const formatOf = (file: string): InputFormat => (/\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : 'csv');

/** Reads a required string flag, naming it when absent or empty. */
function requiredFlag(flags: Flags, name: string, what: string): string {
  const value = stringFlag(flags, name);
  if (value === undefined || value.trim() === '') throw new ConfigError(`--${name}`, `required: ${what}. See 'eddy run --help'.`);
  return value;
}

/** Checks the input can be read (and a CSV's header names the raw columns) before any stack starts. */
async function checkInput(file: string, format: InputFormat): Promise<void> {
  const fail = (error: unknown): never => {
    throw new ConfigError('--transactions', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  };
  const info = await stat(file).catch(fail);
  if (!info.isFile()) throw new ConfigError('--transactions', `${file} is not a file`);
  if (format !== 'csv') return;
  const handle = await open(file).catch(fail);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEADER_BYTES), 0, HEADER_BYTES, 0);
    const header = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/).find((line) => line.trim() !== '');
    // parseCsvLines checks the header as it reads it: here, rather than with the stack up.
    if (header !== undefined) {
      await parseLines('csv', [header])
        .next()
        .catch((error: unknown) => {
          throw error instanceof ConfigError ? new ConfigError('--transactions', `${file} is not a CSV of raw transactions (${error.message}); give --format jsonl for JSON lines`, { cause: error }) : error;
        });
    }
  } finally {
    await handle.close();
  }
}

/** Checks the export directory is absent or empty, so an export never mixes with an older one. */
async function checkExportDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new ConfigError('--export', `cannot use ${dir}: ${error.message}`, { cause: error });
  });
  if (entries.length > 0) throw new ConfigError('--export', `${dir} is not empty: give a new or empty directory (an export never mixes with an older one)`);
}

/** Writes a file, creating its directory. */
async function put(path: string, body: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
}

/** Writes each shipped query's final rows to `DIR/results/<query>.jsonl`, as `eddy results <query> --format json` prints them. */
async function exportResults(table: string, dir: string): Promise<number> {
  const store = new DynamoDBResultStore(createDynamoDBDocumentClient(), table);
  let rows = 0;
  await forEachConcurrent(Object.keys(queries) as QueryName[], RESULT_READS, async (name) => {
    const found = await store.read(name);
    rows += found.length;
    await put(resolve(dir, 'results', `${name}.jsonl`), formatJsonLines(columnsOf(queries[name], found), found));
  });
  return rows;
}

/** One stage's counts as `stats.json` holds them: late records are errors (reason `late`), also shown on their own. */
const stageStats = (t: StageTotals): Record<string, unknown> => ({
  stage: t.stage,
  invocations: t.invocations,
  in: t.in,
  out: t.out,
  errors: t.rejected,
  errorCount: rejectedCount(t),
  duplicates: t.duplicates,
  late: t.rejected.late ?? 0,
  alreadyPublished: t.alreadyPublished ?? 0,
  replayed: t.replayed ?? 0,
  failed: t.failed,
  control: t.control ?? 0,
  balanced: balances(t),
});

/** The chain first (enrich, dedupe, aggregate), then the S3 writers beside it. */
const inPipelineOrder = (totals: readonly StageTotals[]): StageTotals[] =>
  [...totals].sort((a, b) => Number(a.stage.startsWith(WRITER_STAGE)) - Number(b.stage.startsWith(WRITER_STAGE)));

/** `eddy run`: the batch form of the pipeline, for replays and checks. */
export const command: Command = {
  name: 'run',
  summary: 'Replay a file of raw transactions through the whole pipeline on a fresh local stack, wait until every stream is drained, every window fired and every file committed, and export what came out: the bucket’s objects, every query’s final rows and per-stage counts.',
  usage: 'run --transactions FILE --export DIR [--format csv|jsonl] [--timeout SECONDS] [--stage STAGE] [--fresh]',
  details: `The batch form of 'eddy demo', for replays and checks. It starts a fresh in-memory stack,
loads the products, runs every stream-triggered function of serverless.yml under the local
trigger, produces FILE (CSV with a header row, or JSON lines, in the raw transaction shape; a
line that does not parse is produced as-is, so the pipeline routes it to its error output),
sends the final watermark, waits until every stream is drained and every window fired, then
until the S3 writers' state shows no open or pending file, every partition has its _SUCCESS
and nothing is left under the staging prefix. Then it exports, stops the stack and exits 0:
  DIR/s3/<key>               every object of the data bucket: raw records, summaries, errors, _SUCCESS
  DIR/results/<query>.jsonl  the final rows of every shipped query, one JSON object per line
                             (as 'eddy results <query> --format json' prints them)
  DIR/stats.json             per stage: in, out, errors by reason (errorCount in all), duplicates,
                             late (also among the errors), alreadyPublished, replayed, failed, and
                             balanced: whether in = out + errorCount + duplicates + alreadyPublished
                             + replayed + failed
DIR must be absent or empty. If the pipeline has not drained and committed within --timeout
seconds of the last record, it stops with a message saying what is left and exits 2; if a
stage's counts do not balance, it exports, says which, and exits 1. The stack is stopped in
every case. Function logs are in .eddy/logs (eddy stats reads them). Once the final watermark
is sent, records waiting for a batching window go as soon as no invocation runs anywhere
(nothing more can arrive), so the drain does not wait out the writers' 5 s windows.

Example:
  eddy generate --rows 10000 --format jsonl --out week.jsonl
  eddy run --transactions week.jsonl --export out/week`,
  flags: {
    transactions: { type: 'string', description: 'CSV (header row) or JSON-lines file of raw transactions (required)' },
    export: { type: 'string', description: 'Directory to export into, absent or empty (required)' },
    format: { type: 'string', description: 'csv or jsonl (default: by extension: .jsonl, .ndjson, .json are JSON lines, else CSV)' },
    timeout: { type: 'string', description: 'Seconds to drain, fire and commit after the last record', default: '600' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
    fresh: { type: 'boolean', description: 'Stop a running stack first instead of refusing to run' },
    ...SHARDS_FLAG,
    ...STACK_PORT_FLAGS,
  },
  async run(flags, positionals) {
    if (positionals.length > 0) throw new ConfigError('eddy run', `unexpected argument '${positionals.join(' ')}'; give the input as --transactions FILE`);
    const file = requiredFlag(flags, 'transactions', 'the file of transactions to replay');
    const dir = resolve(requiredFlag(flags, 'export', 'the directory to export into'));
    const format = choiceFlag(flags, 'format', INPUT_FORMATS) ?? formatOf(file);
    const timeoutSeconds = numberFlag(flags, 'timeout', { min: 1, integer: true }) as number;
    const ports = stackPorts(flags);
    await checkInput(file, format);
    await checkExportDir(dir);
    return runPipeline({
      command: 'eddy run',
      stage: stringFlag(flags, 'stage') ?? 'dev',
      ports,
      shards: stackShards(flags),
      fresh: flags.fresh === true,
      timeoutMs: timeoutSeconds * 1000,
      lines: parseLines(format, readLines(file, '--transactions')),
      seed: DEFAULT_SEED,
      produceLabel: (raw) => `④ produce ${file} (${format}) → ${raw}`,
      settle: waitForCommits,
      report: async ({ names, logDir, produced, say }) => {
        // The bucket and the results table are read side by side: one loads the S3 emulator, the other DynamoDB Local.
        const [exported, rows] = await Promise.all([exportBucket(createS3Client(), names.bucket, resolve(dir, 's3'), (await readStackState())?.s3Directory), exportResults(names.results, dir)]);
        const totals = inPipelineOrder(await readStageTotals(logDir));
        await put(resolve(dir, 'stats.json'), `${JSON.stringify({ produced: { lines: produced.rowsRead, records: produced.recordsSent, unparseable: produced.unparseable }, stages: totals.map(stageStats) }, null, 2)}\n`);
        say(`⑦ exported to ${dir}: ${count(exported.objects)} objects (${count(exported.bytes)} bytes; ${count(exported.fromStore)} read from the S3 emulator's files) under s3/, ${count(rows)} rows of ${Object.keys(queries).length} queries under results/, stats.json`);
        if (exported.skipped.length > 0) say(`   not exported (no file path for these keys): ${exported.skipped.join(', ')}`);
        say(`\nProduced ${count(produced.recordsSent)} records from ${count(produced.rowsRead)} lines (${count(produced.unparseable)} unparseable, sent as text).`);
        say(`Per stage (eddy stats):\n${formatStageTotals(totals)}`);
        const unbalanced = totals.filter((t) => !balances(t)).map((t) => t.stage);
        if (unbalanced.length > 0) process.stderr.write(`eddy run: the counts of ${unbalanced.join(', ')} do not balance (see ${resolve(dir, 'stats.json')})\n`);
        return unbalanced.length > 0 ? 1 : 0;
      },
    });
  },
};
