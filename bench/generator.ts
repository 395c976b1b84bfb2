/**
 * Throughput of the transaction generator, in memory (no I/O): rows/s generating objects,
 * generating + CSV, generating + JSONL, against baselines that do only the serialization
 * (the same number of pre-built rows to CSV, and JSON.stringify of one constant row).
 * The ratio says what generation costs on top of merely writing rows.
 *
 * Run: npx tsx bench/generator.ts [rows]   (default 500,000; goal ≥ 200,000 rows/s)
 */
import { lineSerializer, type OutputFormat } from '../shared/generator/csv.js';
import { loadProducts } from '../shared/generator/products.js';
import { generateTransactions } from '../shared/generator/transactions.js';
import type { RawTransaction } from '../shared/types.js';

const rows = Number(process.argv[2] ?? 500_000);
const options = { rows, stores: 1 };
const GOAL = 200_000;

/** Runs `work` (which returns a checksum so nothing is optimized away) and returns rows/s, best of 3. */
function measure(work: () => number): number {
  let best = 0;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const check = work();
    const seconds = (performance.now() - started) / 1000;
    if (check < 0) throw new Error('unreachable');
    best = Math.max(best, rows / seconds);
  }
  return best;
}

function generateOnly(): number {
  let sum = 0;
  for (const row of generateTransactions(options)) sum += row.qty;
  return sum;
}

function generateAndSerialize(format: OutputFormat): () => number {
  const toLine = lineSerializer<RawTransaction>(format);
  return () => {
    let chars = 0;
    for (const row of generateTransactions(options)) chars += toLine(row).length + 1;
    return chars;
  };
}

loadProducts();
const prebuilt = [...generateTransactions(options)];
const constant = prebuilt[0] as RawTransaction;
const toCsv = lineSerializer<RawTransaction>('csv');

const results = {
  'generate (objects)': measure(generateOnly),
  'generate + csv': measure(generateAndSerialize('csv')),
  'generate + jsonl': measure(generateAndSerialize('jsonl')),
  'baseline: csv of pre-built rows': measure(() => prebuilt.reduce((chars, row) => chars + toCsv(row).length + 1, 0)),
  'baseline: JSON.stringify(constant row)': measure(() => {
    let chars = 0;
    for (let i = 0; i < rows; i++) chars += JSON.stringify(constant).length + 1;
    return chars;
  }),
};

const format = (value: number): string => Math.round(value).toLocaleString('en-US').padStart(12);
console.log(`Generator bench: ${rows.toLocaleString('en-US')} rows, best of 3, Node ${process.version}`);
for (const [name, rate] of Object.entries(results)) console.log(`  ${name.padEnd(40)}${format(rate)} rows/s`);
const csvRatio = results['generate + csv'] / results['baseline: csv of pre-built rows'];
const jsonlRatio = results['generate + jsonl'] / results['baseline: JSON.stringify(constant row)'];
console.log(`  ratio csv   (generate + csv / csv of pre-built rows):        ${csvRatio.toFixed(2)}`);
console.log(`  ratio jsonl (generate + jsonl / JSON.stringify constant row): ${jsonlRatio.toFixed(2)}`);
const slowest = Math.min(results['generate + csv'], results['generate + jsonl']);
console.log(`  goal ≥ ${GOAL.toLocaleString('en-US')} rows/s: ${slowest >= GOAL ? 'met' : 'NOT met'} (slowest ${format(slowest).trim()} rows/s)`);
