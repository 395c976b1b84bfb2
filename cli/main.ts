import { ConfigError, PipelineError } from '../shared/errors.js';
import { helpText, parseFlags, type Command } from './command.js';

/** Every command, loaded only when run so `eddy --help` stays fast. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  stack: { summary: 'Start, stop or inspect the local AWS stack (DynamoDB Local, Kinesis, S3)', load: () => import('./commands/stack.js') },
  dev: { summary: 'Run every stream-triggered function locally, as Lambda’s Kinesis trigger does', load: () => import('./commands/dev.js') },
  products: { summary: 'Load the product dimension into DynamoDB', load: () => import('./commands/products.js') },
  generate: { summary: 'Write realistic, seeded transactions for the scenario', load: () => import('./commands/generate.js') },
  datagen: { summary: 'Generate rows for any schema, like Flink’s datagen connector', load: () => import('./commands/datagen.js') },
  produce: { summary: 'Send a file or the generator to the raw stream with PutRecords', load: () => import('./commands/produce.js') },
  watermark: { summary: 'Signal end of input: the final watermark on every open clean-stream shard', load: () => import('./commands/watermark.js') },
  results: { summary: 'Print a query’s rows from the results table (table, JSON lines or CSV)', load: () => import('./commands/results.js') },
  query: { summary: 'Run SQL over the data bucket with DuckDB (transaction_order, transaction_errors, query results)', load: () => import('./commands/query.js') },
  'athena-ddl': { summary: 'Print the Athena DDL (tables with partition projection) of the data bucket', load: () => import('./commands/athenaDdl.js') },
  stats: { summary: 'Per-stage counts: in = out + errors + duplicates + failed', load: () => import('./commands/stats.js') },
  record: { summary: 'Capture a batch from a local stream into an event fixture', load: () => import('./commands/record.js') },
  replay: { summary: 'Run an event fixture through a function and print its result', load: () => import('./commands/replay.js') },
  demo: { summary: 'Run the whole pipeline locally (what `npm start` runs)', load: () => import('./commands/demo.js') },
  run: { summary: 'Replay a file through the whole pipeline on a fresh local stack and export what came out', load: () => import('./commands/run.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return [
    'eddy — real-time sales analytics on Kinesis, Lambda, DynamoDB and S3, locally or on AWS',
    '',
    'Usage: eddy <command> [options]    (eddy <command> --help for its options)',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}${summary}`),
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 1 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) throw new ConfigError('command', `unknown command '${name}'. Run 'eddy --help' for the list.`);
  const { command } = await entry.load();
  const { flags, positionals, help } = parseFlags(command, rest);
  if (help) {
    process.stdout.write(`${helpText(command)}\n`);
    return 0;
  }
  return (await command.run(flags, positionals)) ?? 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof PipelineError) {
    process.stderr.write(`eddy: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
