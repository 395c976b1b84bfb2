import { join } from 'node:path';
import { formatStageTotals, readStageTotals } from '../../local/stats.js';
import { stateDir } from '../../local/stack/stackState.js';
import { stringFlag, type Command } from '../command.js';

/** `eddy stats`: per-stage accounting from the local functions' reports. */
export const command: Command = {
  name: 'stats',
  summary: 'Show each stage’s counts — in, out, errors by reason, duplicates, failed — summed from the reports its invocations logged (the same counts they publish as CloudWatch EMF metrics), and whether in = out + errors + duplicates + failed holds.',
  usage: 'stats [--logs DIR] [--json]',
  details: `Reads the function logs that 'eddy dev --logs DIR' and 'eddy demo' write (default .eddy/logs).
A batch delivered again is counted again, as CloudWatch counts it.`,
  flags: {
    logs: { type: 'string', description: 'Directory of function logs (default: .eddy/logs)' },
    json: { type: 'boolean', description: 'Print JSON instead of a table' },
  },
  async run(flags) {
    const totals = await readStageTotals(stringFlag(flags, 'logs') ?? join(stateDir(), 'logs'));
    if (flags.json === true) process.stdout.write(`${JSON.stringify(totals, null, 2)}\n`);
    else process.stdout.write(totals.length > 0 ? `${formatStageTotals(totals)}\n` : 'No stage reports found: run eddy demo, or eddy dev --logs .eddy/logs\n');
    return 0;
  },
};
