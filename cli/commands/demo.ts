import { join } from 'node:path';
import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../../shared/adapters/DynamoDBResultStore.js';
import { readDashboardView } from '../../shared/dashboard/view.js';
import { DEFAULT_SEED } from '../../shared/generator/options.js';
import { generateTransactions } from '../../shared/generator/transactions.js';
import { withDuplicates } from '../../shared/producer/duplicates.js';
import { transactionLines } from '../../shared/producer/sources.js';
import { SCENARIO } from '../../shared/constants.js';
import { waitForCommits } from '../../local/demo/commits.js';
import { checkDashboardAgainstLake, DAILY_LAKE_SQL } from '../../local/demo/lakeCheck.js';
import { barChart, countObjects, scanStream } from '../../local/demo/outputs.js';
import { runPipeline } from '../../local/demo/pipeline.js';
import { ReplayProgressFile } from '../../local/demo/replayProgress.js';
import { stateDir } from '../../local/stack/stackState.js';
import { balances, formatStageTotals, readStageTotals } from '../../local/stats.js';
import { numberFlag, stringFlag, type Command } from '../command.js';
import { SHARDS_FLAG, STACK_PORT_FLAGS, stackPorts, stackShards } from '../stackFlags.js';

/**
 * Event time passes this many times faster in the demo's replay: the six months in about 2.6
 * minutes, which the local emulators on 2 cores keep up with (the dashboard p50 3 s, p99 12 s
 * behind the producer; docs/benchmarks.md#the-demo-and-its-dashboard).
 */
export const DEMO_SPEED = 100_000;

const count = (value: number): string => value.toLocaleString('en-US');

/** `eddy demo` (= `npm start`): the whole pipeline locally, with the live dashboard. */
export const command: Command = {
  name: 'demo',
  summary: 'Run the whole pipeline locally with its live dashboard: start the stack, load the products, run every function under the local trigger, serve the dashboard, replay the scenario’s six months at a speed-up, and check the dashboard against the lake.',
  usage: 'demo [--speed N] [--port P] [--fresh] [--exit] [--rows N] [--seed S] [--keep]',
  details: `This is what 'npm start' runs. It starts the local stack with its data on disk (.eddy/data),
loads the products, runs every stream-triggered function of serverless.yml under the local
trigger, serves the dashboard (the URL is printed, with its API key), replays the generated
transactions paced by event time (--speed: 100,000× plays the six months in about 2.6 minutes;
0 sends them as fast as the stream takes them), prints one progress line per stage every 5 s,
sends the final watermark, waits until every stream is drained, every window fired and every
file committed, then checks the dashboard's daily figures against 'eddy query' over the lake
and prints a summary. The dashboard then keeps being served until Ctrl-C (--exit leaves instead).

Ctrl-C stops the trigger (in-flight invocations finish), the dashboard and the stack; the data
stays on disk. A second 'npm start' continues from it: the stack's streams, tables and bucket,
the trigger's checkpoints, and the replay from the record it had reached (.eddy/data/<stage>/demo-replay.json). --fresh starts over
(it drops the data, and replaces a stack started otherwise).`,
  flags: {
    speed: { type: 'string', description: 'Replay speed-up of event time (0: unpaced)', default: String(DEMO_SPEED) },
    port: { type: 'string', description: 'Dashboard port on 127.0.0.1 (0: any free port)', default: '8787' },
    'api-key': { type: 'string', description: 'The dashboard API key (default: a random one per start)' },
    exit: { type: 'boolean', description: 'Exit after the summary instead of serving the dashboard until Ctrl-C' },
    rows: { type: 'string', description: 'Line items to generate', default: String(SCENARIO.rows) },
    duplicates: { type: 'string', description: 'Share of rows the producer sends twice (dedupe drops them)', default: '0.01' },
    seed: { type: 'string', description: 'Generator seed', default: String(DEFAULT_SEED) },
    from: { type: 'string', description: 'First day of generated data, YYYY-MM-DD', default: SCENARIO.from },
    to: { type: 'string', description: 'Last day of generated data, YYYY-MM-DD (inclusive)', default: SCENARIO.to },
    fresh: { type: 'boolean', description: 'Start over: drop the persisted data (and stop a running stack first)' },
    keep: { type: 'boolean', description: 'Leave the stack running at the end' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
    timeout: { type: 'string', description: 'Seconds to wait for the streams to drain after the last record', default: '600' },
    ...SHARDS_FLAG,
    ...STACK_PORT_FLAGS,
  },
  async run(flags) {
    const rows = numberFlag(flags, 'rows', { min: 1, integer: true }) as number;
    const seed = numberFlag(flags, 'seed', { min: 0, max: 0xffff_ffff, integer: true }) as number;
    const timeoutSeconds = numberFlag(flags, 'timeout', { min: 1, integer: true }) as number;
    const duplicateRate = numberFlag(flags, 'duplicates', { min: 0, max: 1 }) as number;
    const speed = numberFlag(flags, 'speed', { min: 0 }) as number;
    const port = numberFlag(flags, 'port', { min: 0, max: 65535, integer: true }) as number;
    const from = stringFlag(flags, 'from') ?? SCENARIO.from;
    const to = stringFlag(flags, 'to') ?? SCENARIO.to;
    const lines = withDuplicates(transactionLines(generateTransactions({ rows, seed, from, to })), { rate: duplicateRate, seed });
    const apiKey = stringFlag(flags, 'api-key');
    const stage = stringFlag(flags, 'stage') ?? 'dev';
    return runPipeline({
      command: 'eddy demo',
      stage,
      ports: stackPorts(flags),
      shards: stackShards(flags),
      fresh: flags.fresh === true,
      keep: flags.keep === true,
      persist: true,
      // Beside the stack's data, so whatever drops the data (--fresh, eddy stack up --fresh) drops the progress with it.
      replay: { progress: new ReplayProgressFile(join(stateDir(), 'data', stage, 'demo-replay.json')), input: `stage ${stage}, rows ${rows}, seed ${seed}, ${from}…${to}, duplicates ${duplicateRate}` },
      ...(speed > 0 ? { speed } : {}),
      dashboard: { port, ...(apiKey === undefined ? {} : { apiKey }) },
      serveUntilInterrupted: flags.exit !== true,
      timeoutMs: timeoutSeconds * 1000,
      lines,
      seed,
      produceLabel: (raw) => `④ produce ${count(rows)} rows (+${duplicateRate * 100}% resent)${speed > 0 ? ` at ${count(speed)}× event time` : ''} → ${raw}`,
      settle: waitForCommits,
      report: async ({ names, logDir, produced, say }) => {
        const keys = new Set<string>();
        await scanStream(createKinesisClient(), names.clean, (data) => {
          const row = JSON.parse(Buffer.from(data).toString('utf8')) as { pk: string; eddy_control?: string };
          if (row.eddy_control === undefined) keys.add(row.pk);
        });
        const view = await readDashboardView(new DynamoDBResultStore(createDynamoDBDocumentClient(), names.results));
        const errors = await countObjects(createS3Client(), names.bucket, 'data/stream_error_data/', (key) => key.split('/').at(-2) ?? '?');
        const totals = await readStageTotals(logDir);
        say(`\nPer stage (eddy stats):\n${formatStageTotals(totals)}`);
        say(`Pipeline: produced ${count(produced.recordsSent)} records this run${produced.recordsSent >= rows ? ` (${count(rows)} rows + ${count(produced.recordsSent - rows)} resent)` : ''} → clean stream ${count(keys.size)} distinct keys (expected ${count(rows)}); error objects ${[...errors.values()].reduce((a, b) => a + b, 0)}.`);
        say(`\nDashboard (sales_kpi): sales ₩${count(view.kpi.sales)}, visitors ${count(view.kpi.visitors)}, last transaction ${view.kpi.lastTransaction ?? '—'}; ${view.daily.length} days of daily_sales.`);
        say(`Sales by division (division_totals):\n${barChart(view.divisions.map((d) => [d.division, d.sales] as const))}`);
        const check = await checkDashboardAgainstLake(createS3Client(), names.bucket, view);
        say(`\nDashboard against the lake (eddy query "${DAILY_LAKE_SQL}"): ${check.days} days, ${count(check.lakeCount)} line items, ₩${count(check.lakeSales)}: ${check.mismatches.length === 0 ? 'every day and the total agree ✓' : `${check.mismatches.length} differ ✗\n   ${check.mismatches.slice(0, 10).join('\n   ')}`}`);
        return totals.every(balances) && keys.size === rows && check.mismatches.length === 0 ? 0 : 1;
      },
    });
  },
};
