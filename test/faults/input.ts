import { generateTransactions } from '../../shared/generator/transactions.js';
import { withDuplicates } from '../../shared/producer/duplicates.js';
import { transactionLines, type SourceLine } from '../../shared/producer/sources.js';
import { primaryKeyOf } from '../../shared/primaryKey.js';
import { seededRandom } from '../../shared/random.js';
import type { ErrorReason } from '../../shared/errorReasons.js';
import type { RawTransaction } from '../../shared/types.js';

/**
 * The input of one fault schedule, built from its seed, and what the pipeline must make of it,
 * computed here from the input alone (never from what the pipeline wrote).
 */

/** A record that must end in the error output, once, with this reason. */
export interface ExpectedError {
  readonly reason: ErrorReason;
  /** How the error document's `rawData` is recognised: the primary key in it, or its exact text. */
  readonly identity: string;
}

/** The lines to produce, in phases, and the expected outcome. */
export interface ScheduleInput {
  /** Plain records, before a mid-run reshard. */
  readonly phaseA: readonly SourceLine[];
  /** Plain records, after it. */
  readonly phaseB: readonly SourceLine[];
  /** Records sent KPL-aggregated (valid rows and one bad sub-record). */
  readonly kpl: readonly SourceLine[];
  /** The valid rows of `kpl` again: a producer resending aggregated records it already sent. */
  readonly kplResend: readonly SourceLine[];
  /** Every valid row by primary key: the clean stream must hold exactly these keys. */
  readonly valid: ReadonlyMap<string, RawTransaction>;
  /** Bad records by identity. */
  readonly errors: ReadonlyMap<string, ExpectedError>;
  /** Records the producer sends twice (resends of valid rows). */
  readonly resends: number;
}

/** Options of {@link buildInput}. */
export interface InputOptions {
  readonly rows: number;
  readonly kplRows: number;
  readonly duplicateRate: number;
  /** Whether the KPL rows are sent a second time. */
  readonly kplResend: boolean;
}

/** The identity of a record for matching error documents: its `pk` when it is JSON with one, else its text. */
export function identityOf(text: string): string {
  try {
    const value = JSON.parse(text) as { pk?: unknown };
    if (typeof value === 'object' && value !== null && typeof value.pk === 'string') return `pk:${value.pk}`;
  } catch {
    // not JSON: the text itself identifies it
  }
  return `text:${text}`;
}

const rowLine = (row: RawTransaction, line: number): SourceLine => ({ line, row: row as unknown as Readonly<Record<string, unknown>>, text: '' });

async function collect(lines: AsyncIterable<SourceLine>): Promise<SourceLine[]> {
  const out: SourceLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/**
 * Builds the seeded input: `rows` generated transactions with a share resent by the producer
 * (`withDuplicates`), bad records at seeded positions (not JSON, schema violations, unknown
 * products; each sent once), and `kplRows` more transactions plus a bad sub-record for the KPL
 * path. Generated rows have distinct primary keys (checked).
 * @param seed - the schedule's seed
 */
export async function buildInput(seed: number, options: InputOptions): Promise<ScheduleInput> {
  const random = seededRandom(seed ^ 0x1a2b3c);
  const generated = [...generateTransactions({ rows: options.rows + options.kplRows, seed })];
  const valid = new Map<string, RawTransaction>();
  for (const row of generated) {
    const pk = primaryKeyOf(row);
    if (valid.has(pk)) throw new Error(`seed ${seed}: the generator produced primary key ${pk} twice; the expected result would be ambiguous`);
    valid.set(pk, row);
  }
  const main = generated.slice(0, options.rows);
  const kplRows = generated.slice(options.rows);
  const withResends = await collect(withDuplicates(transactionLines(main), { rate: options.duplicateRate, seed, lag: 1 + Math.floor(random() * 40) }));

  const errors = new Map<string, ExpectedError>();
  const bad: SourceLine[] = [];
  const template = main[0] as RawTransaction;
  for (let i = 0; i < 2; i++) {
    const text = `{"tr_date": "2015-01-0${i + 1}", broken ${seed}-${i}`;
    bad.push({ line: 0, text });
    errors.set(identityOf(text), { reason: 'not_json', identity: text });
    // Receipt numbers above 9,999 never come out of the generator, so these keys are new.
    const schemaRow = { ...template, receipt_num: String(70_000 + i), qty: 'lots' } as unknown as RawTransaction;
    bad.push(rowLine(schemaRow, 0));
    errors.set(`pk:${primaryKeyOf(schemaRow)}`, { reason: 'schema_violation', identity: primaryKeyOf(schemaRow) });
    const unknownRow: RawTransaction = { ...template, receipt_num: String(80_000 + i), product_cd: `000000000000${i}` };
    bad.push(rowLine(unknownRow, 0));
    errors.set(`pk:${primaryKeyOf(unknownRow)}`, { reason: 'unknown_product', identity: primaryKeyOf(unknownRow) });
  }
  const lines = [...withResends];
  for (const line of bad) lines.splice(Math.floor(random() * (lines.length + 1)), 0, line);
  const numbered = lines.map((line, index) => ({ ...line, line: index + 1 }));
  const cut = Math.floor(numbered.length * (0.3 + random() * 0.4));

  const kplText = `kpl-sub-record ${seed} is not json`;
  errors.set(identityOf(kplText), { reason: 'not_json', identity: kplText });
  const kplLines = kplRows.map((row, index) => rowLine(row, index + 1));
  const kpl = [...kplLines];
  kpl.splice(Math.floor(random() * (kpl.length + 1)), 0, { line: 0, text: kplText });

  return {
    phaseA: numbered.slice(0, cut),
    phaseB: numbered.slice(cut),
    kpl,
    kplResend: options.kplResend ? kplLines : [],
    valid,
    errors,
    resends: withResends.length - main.length + (options.kplResend ? kplLines.length : 0),
  };
}
