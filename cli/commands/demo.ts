import { createDynamoDBDocumentClient, createKinesisClient, createS3Client } from '../../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../../shared/adapters/DynamoDBResultStore.js';
import { DEFAULT_SEED } from '../../shared/generator/options.js';
import { generateTransactions } from '../../shared/generator/transactions.js';
import { withDuplicates } from '../../shared/producer/duplicates.js';
import { transactionLines } from '../../shared/producer/sources.js';
import { SCENARIO } from '../../shared/constants.js';
import { barChart, countObjects, scanStream } from '../../local/demo/outputs.js';
import { runPipeline } from '../../local/demo/pipeline.js';
import { balances, formatStageTotals, readStageTotals } from '../../local/stats.js';
import { numberFlag, stringFlag, type Command } from '../command.js';
import { STACK_PORT_FLAGS, stackPorts } from '../stackFlags.js';

/** `eddy demo` (= `npm start`): the whole pipeline that exists today, locally, with progress and a summary. */
export const command: Command = {
  name: 'demo',
  summary: 'Run the whole pipeline locally: start the stack, load the products, run every stream-triggered function under the local trigger, generate and produce the scenario’s transactions, wait until every stream is drained, and summarize what came out.',
  usage: 'demo [--rows N] [--seed S] [--fresh] [--keep]',
  details: `This is what 'npm start' runs. It starts a fresh in-memory stack and stops it at the end
(--keep leaves it running, to look around with 'eddy record', 'eddy stack status' or the SDK).
If a stack is already running it refuses, so it never mixes its data with yours: stop it with
'eddy stack down', or pass --fresh to replace it.`,
  flags: {
    rows: { type: 'string', description: 'Line items to generate', default: String(SCENARIO.rows) },
    duplicates: { type: 'string', description: 'Share of rows the producer sends twice (dedupe drops them)', default: '0.01' },
    seed: { type: 'string', description: 'Generator seed', default: String(DEFAULT_SEED) },
    from: { type: 'string', description: 'First day of generated data, YYYY-MM-DD', default: '2015-01-01' },
    to: { type: 'string', description: 'Last day of generated data, YYYY-MM-DD (inclusive)', default: '2015-06-30' },
    fresh: { type: 'boolean', description: 'Stop a running stack first and start an empty one' },
    keep: { type: 'boolean', description: 'Leave the stack running at the end' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
    timeout: { type: 'string', description: 'Seconds to wait for the streams to drain', default: '600' },
    ...STACK_PORT_FLAGS,
  },
  async run(flags) {
    const rows = numberFlag(flags, 'rows', { min: 1, integer: true }) as number;
    const seed = numberFlag(flags, 'seed', { min: 0, max: 0xffff_ffff, integer: true }) as number;
    const timeoutSeconds = numberFlag(flags, 'timeout', { min: 1, integer: true }) as number;
    const duplicateRate = numberFlag(flags, 'duplicates', { min: 0, max: 1 }) as number;
    const lines = withDuplicates(transactionLines(generateTransactions({ rows, seed, from: stringFlag(flags, 'from') ?? '2015-01-01', to: stringFlag(flags, 'to') ?? '2015-06-30' })), { rate: duplicateRate, seed });
    return runPipeline({
      command: 'eddy demo',
      stage: stringFlag(flags, 'stage') ?? 'dev',
      ports: stackPorts(flags),
      fresh: flags.fresh === true,
      keep: flags.keep === true,
      timeoutMs: timeoutSeconds * 1000,
      lines,
      seed,
      produceLabel: (raw) => `④ produce ${rows.toLocaleString('en-US')} rows (+${duplicateRate * 100}% resent) → ${raw}`,
      report: async ({ names, logDir, produced, say }) => {
        const divisions = new Map<string, number>();
        const keys = new Set<string>();
        let clean = 0;
        await scanStream(createKinesisClient(), names.clean, (data) => {
          const row = JSON.parse(Buffer.from(data).toString('utf8')) as { division_name: string; mount: number; pk: string; eddy_control?: string };
          if (row.eddy_control !== undefined) return;
          clean += 1;
          keys.add(row.pk);
        });
        const results = new DynamoDBResultStore(createDynamoDBDocumentClient(), names.results);
        for (const row of await results.read('division_totals')) divisions.set(String(row.division_name), Number(row.sum_of_sales));
        const hours = (await results.read('hourly_sales')).length;
        const errors = await countObjects(createS3Client(), names.bucket, 'data/stream_error_data/', (key) => key.split('/').at(-2) ?? '?');
        const totals = await readStageTotals(logDir);
        say(`\nPer stage (eddy stats):\n${formatStageTotals(totals)}`);
        say(`Pipeline: produced ${produced.recordsSent.toLocaleString('en-US')} records (${rows.toLocaleString('en-US')} rows + ${(produced.recordsSent - rows).toLocaleString('en-US')} resent) → clean stream ${clean.toLocaleString('en-US')} records, ${keys.size.toLocaleString('en-US')} distinct keys (expected ${rows.toLocaleString('en-US')}); error objects ${[...errors.values()].reduce((a, b) => a + b, 0)}.`);
        say(`Produced at ${Math.round(produced.rowsPerSecond).toLocaleString('en-US')} records/s in ${produced.calls} PutRecords calls.`);
        say(`\nSales by division (KRW, division_totals from the results table):\n${barChart([...divisions])}`);
        say(`Windows fired: ${hours.toLocaleString('en-US')} hours of hourly_sales (eddy results hourly_sales).`);
        const balanced = totals.every(balances);
        return balanced && keys.size === rows ? 0 : 1;
      },
    });
  },
};
