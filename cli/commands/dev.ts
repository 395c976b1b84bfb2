import { join } from 'node:path';
import { loadServerlessModel } from '../../local/loadServerlessModel.js';
import { stateDir } from '../../local/stack/stackState.js';
import { useLocalStack } from '../../local/stack/manage.js';
import { parseFaults, startTrigger, type FaultSpec, type FunctionStats } from '../../local/trigger/index.js';
import { ConfigError } from '../../shared/errors.js';
import { numberFlag, stringFlag, type Command } from '../command.js';

const line = (stats: FunctionStats): string =>
  `${stats.function}: ${stats.recordsIn} in · ${stats.recordsDone} done · ${stats.invocations} invocations · ${stats.errors} errors · ${stats.retries} retries · ${stats.recordsFailed} to on-failure · lag ${stats.behind} records / ${stats.millisBehindLatest} ms`;

/** `eddy dev`: the local Kinesis trigger. */
export const command: Command = {
  name: 'dev',
  summary: 'Run every stream-triggered function of serverless.yml locally, invoked exactly as Lambda’s Kinesis event source mapping invokes it.',
  usage: 'dev [--function NAME ...] [--stage STAGE] [--until-drained]',
  details: `Each function runs in its own worker threads with its serverless.yml environment, reading
its stream from the local stack ('eddy stack up' first): batch size and window, starting position,
parallelization factor, ReportBatchItemFailures, bisect, retries, maximum record age and the S3
on-failure destination all behave as on AWS. Checkpoints live in .eddy/trigger/<stage>, so a restart
resumes where it stopped. Ctrl-C finishes in-flight invocations and saves checkpoints.

Faults (tests, chaos runs): --faults or EDDY_FAULTS takes a JSON array, e.g.
  '[{"kind":"crash","operation":"PutRecords","when":"after","call":1,"invocation":1}]'
Kinds: fail, crash, throttle, putRecordsPartialFailure, deliverTwice.`,
  flags: {
    function: { type: 'string', short: 'f', multiple: true, description: 'Only this function (key in serverless.yml); repeatable' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
    'until-drained': { type: 'boolean', description: 'Exit once every shard is caught up and nothing is in flight' },
    once: { type: 'boolean', description: 'Same as --until-drained' },
    'state-dir': { type: 'string', description: 'Where checkpoints are kept (default: .eddy/trigger/<stage>)' },
    interval: { type: 'string', description: 'Seconds between progress lines', default: '5' },
    faults: { type: 'string', description: 'Faults to inject, as JSON (see above)' },
    logs: { type: 'string', description: 'Append each function’s logs to DIR/<function>.log instead of printing them' },
  },
  async run(flags) {
    const stage = stringFlag(flags, 'stage') ?? 'dev';
    const intervalSeconds = numberFlag(flags, 'interval', { min: 0.1 }) ?? 5;
    const rawFaults = stringFlag(flags, 'faults') ?? process.env.EDDY_FAULTS;
    const faults: FaultSpec[] = rawFaults ? parseFaults(rawFaults, flags.faults ? '--faults' : 'EDDY_FAULTS') : [];
    const functions = Array.isArray(flags.function) ? flags.function.map(String) : undefined;
    await useLocalStack();
    const model = await loadServerlessModel({ stage });
    const trigger = await startTrigger({
      model,
      ...(functions ? { functions } : {}),
      stateDir: stringFlag(flags, 'state-dir') ?? join(stateDir(), 'trigger', stage),
      faults,
      ...(stringFlag(flags, 'logs') ? { logDir: stringFlag(flags, 'logs') } : {}),
      log: (text) => process.stderr.write(`${text}\n`),
    });
    if (trigger.functions.length === 0) throw new ConfigError('serverless.yml', 'no function has an enabled stream event');
    process.stderr.write(`Triggering ${trigger.functions.join(', ')} from the local stack (Ctrl-C to stop)\n`);
    const report = (): void => trigger.stats().forEach((stats) => process.stderr.write(`${line(stats)}\n`));
    const timer = setInterval(report, intervalSeconds * 1000);
    const untilDrained = flags['until-drained'] === true || flags.once === true;
    try {
      if (untilDrained) await trigger.waitUntilIdle(24 * 3600 * 1000);
      else
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
    } finally {
      clearInterval(timer);
      process.stderr.write('Stopping: finishing in-flight invocations and saving checkpoints…\n');
      await trigger.stop();
      report();
    }
    return trigger.stats().some((stats) => stats.recordsFailed > 0) ? 1 : 0;
  },
};
