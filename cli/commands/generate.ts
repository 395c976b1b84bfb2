import { SCENARIO } from '../../shared/constants.js';
import { OUTPUT_FORMATS, serializeRows } from '../../shared/generator/csv.js';
import { DEFAULT_SEED, MAX_STORES, planGeneration } from '../../shared/generator/options.js';
import { generateTransactions } from '../../shared/generator/transactions.js';
import { choiceFlag, numberFlag, stringFlag, type Command } from '../command.js';
import { writeRowLines } from '../writeOutput.js';

/** `eddy generate`: realistic, seeded raw transactions to stdout or a file. */
export const command: Command = {
  name: 'generate',
  summary: 'Write realistic, seeded raw transactions (CSV with a header, or JSONL) for the scenario or a chain of stores.',
  usage: 'generate [--rows N] [--seed S] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--stores N] [--format csv|jsonl] [--out FILE]',
  details: `Line items follow the original data: every hour of every day (busy evenings and late night,
quiet 4–6 h), receipts of one or more items on a POS, Zipf-skewed popularity over the 5,446 real
products within the observed division mix, qty mostly 1, mount = qty × a stable unit price.
Rows come out in order of tr_datetime; tr_time is the hour without padding ("0"…"23").

Rows and stores: --rows is the total over all stores. Without --rows each store gets the
scenario's density (94,498 line items over 181 days, about 522 a day), so the default is
${SCENARIO.rows.toLocaleString('en-US')} × stores for the default range. Stores are ${SCENARIO.storeCd} ${SCENARIO.storeName}, 12346, 12347, …

The same flags always give byte-identical output.

Examples:
  eddy generate --rows 1000 | head
  eddy generate --stores 3 --from 2015-03-01 --to 2015-03-07 --format jsonl --out week.jsonl`,
  flags: {
    rows: { type: 'string', description: 'Line items in total (all stores); default: the scenario density × stores' },
    seed: { type: 'string', description: 'Seed of the generator', default: String(DEFAULT_SEED) },
    from: { type: 'string', description: 'First day', default: SCENARIO.from },
    to: { type: 'string', description: 'Last day (inclusive)', default: SCENARIO.to },
    stores: { type: 'string', description: `Stores in the chain (1–${MAX_STORES})`, default: '1' },
    format: { type: 'string', description: 'csv (with header) or jsonl', default: 'csv' },
    out: { type: 'string', short: 'o', description: 'Write to this file (with a progress line) instead of stdout' },
  },
  async run(flags) {
    const options = {
      rows: numberFlag(flags, 'rows', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }),
      seed: numberFlag(flags, 'seed', { min: 0, max: 0xffff_ffff, integer: true }),
      from: stringFlag(flags, 'from'),
      to: stringFlag(flags, 'to'),
      stores: numberFlag(flags, 'stores', { min: 1, max: MAX_STORES, integer: true }),
    };
    const format = choiceFlag(flags, 'format', OUTPUT_FORMATS) ?? 'csv';
    // Validate every flag (dates, from ≤ to) before opening the output file.
    const plan = planGeneration(options, (name) => `--${name}`);
    const lines = serializeRows(generateTransactions(options), format);
    const out = stringFlag(flags, 'out');
    await writeRowLines(lines, { out, header: format === 'csv', total: plan.rows, label: 'generate' });
    return 0;
  },
};
