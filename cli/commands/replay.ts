import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../shared/errors.js';
import { loadServerlessModel } from '../../local/loadServerlessModel.js';
import { useLocalStack } from '../../local/stack/manage.js';
import { WorkerPool } from '../../local/trigger/invoker.js';
import { stringFlag, type Command } from '../command.js';

/** `eddy replay`: run a recorded event through a function, as the trigger would, and print its result. */
export const command: Command = {
  name: 'replay',
  summary: 'Run an event fixture through a function in a fresh Lambda-like execution environment (its own environment from serverless.yml, against the local stack) and print the response.',
  usage: 'replay <fixture.json> [--function NAME]',
  details: `The function defaults to the one whose stream event reads the fixture's eventSourceARN.
The result is printed as JSON on stdout; the function's logs go to stderr.
Exit code 0 when the invocation returned, 1 when it threw, crashed or timed out.

Example:
  eddy replay events/enrich-bad-records.json`,
  flags: {
    function: { type: 'string', short: 'f', description: 'Function key in serverless.yml' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
  },
  async run(flags, positionals) {
    const [file] = positionals;
    if (!file) throw new ConfigError('eddy replay', 'give the fixture file, e.g. eddy replay events/enrich-sample.json');
    const event = JSON.parse(await readFile(file, 'utf8').catch((cause: unknown) => {
      throw new ConfigError(file, 'cannot read the fixture', { cause });
    })) as { Records?: { eventSourceARN?: string }[] };
    if (!Array.isArray(event.Records)) throw new ConfigError(file, 'not a Lambda Kinesis event: no Records array');
    await useLocalStack();
    const model = await loadServerlessModel({ stage: stringFlag(flags, 'stage') });
    const name = stringFlag(flags, 'function');
    const streamName = event.Records[0]?.eventSourceARN?.split(':stream/')[1];
    const fn = model.functions.find((candidate) =>
      name ? candidate.key === name || candidate.name === name : candidate.streamEvents.some((stream) => stream.streamName === streamName),
    );
    if (!fn) throw new ConfigError('--function', name ? `no function '${name}' in serverless.yml` : `no function reads stream '${streamName ?? '?'}'; name one with --function`);
    // The function's own logs go to stderr, so stdout holds only the result.
    const pool = new WorkerPool({ model, fn, output: process.stderr });
    try {
      const outcome = await pool.invoke(event, []);
      const body = outcome.status === 'ok' ? outcome.response : outcome.error;
      process.stdout.write(`${JSON.stringify({ function: fn.key, status: outcome.status, millis: outcome.millis, cold: outcome.cold, records: event.Records.length, result: body }, null, 2)}\n`);
      return outcome.status === 'ok' ? 0 : 1;
    } finally {
      await pool.close();
    }
  },
};
