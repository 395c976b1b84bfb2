import { ConfigError } from '../errors.js';
import { RAW_COLUMNS, type RawTransaction } from '../types.js';
import { splitCsvLine } from './csvLine.js';

/**
 * One input line for the producer: its parsed row, or only its text when it does not parse.
 * An unparseable line is still sent (as its text), so the pipeline's error output shows it:
 * the pipeline, not the producer, judges records.
 */
export interface SourceLine {
  /** 1-based line number in the input (the CSV header is line 1). */
  readonly line: number;
  /** The parsed row; absent when the line does not parse. */
  readonly row?: Readonly<Record<string, unknown>>;
  /** The line's text, sent as-is when `row` is absent. */
  readonly text: string;
}

/** The input formats `produce` reads. */
export const INPUT_FORMATS = ['csv', 'jsonl'] as const;
/** One of {@link INPUT_FORMATS}. */
export type InputFormat = (typeof INPUT_FORMATS)[number];

const INTEGER = /^[+-]?\d+$/;

/** CSV cells are text; `qty` becomes an integer and `mount` a number when they look like one (else they stay text for the pipeline to reject). */
const CONVERTERS: Readonly<Record<string, (cell: string) => unknown>> = {
  qty: (cell) => (INTEGER.test(cell.trim()) ? Number(cell) : cell),
  mount: (cell) => (cell.trim() !== '' && Number.isFinite(Number(cell)) ? Number(cell) : cell),
};

/**
 * Reads a CSV of raw transactions: a header row naming at least {@link RAW_COLUMNS} (any order,
 * extra columns kept), then one transaction per line. A line with another number of fields or
 * broken quoting is yielded unparsed; blank lines are skipped.
 * @param lines - the input's lines without line breaks
 * @throws ConfigError when the header lacks a column
 */
export async function* parseCsvLines(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<SourceLine> {
  let header: string[] | undefined;
  let number = 0;
  for await (const raw of lines) {
    number++;
    const text = number === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    if (!header) {
      header = (splitCsvLine(text) ?? []).map((name) => name.trim());
      const missing = RAW_COLUMNS.filter((column) => !header?.includes(column));
      if (missing.length > 0) throw new ConfigError('input', `line ${number}: the CSV header lacks ${missing.join(', ')} (expected ${RAW_COLUMNS.join(',')})`);
      continue;
    }
    const cells = splitCsvLine(text);
    if (!cells || cells.length !== header.length) {
      yield { line: number, text };
      continue;
    }
    const row: Record<string, unknown> = {};
    header.forEach((name, index) => {
      const cell = cells[index] as string;
      const convert = CONVERTERS[name];
      row[name] = convert ? convert(cell) : cell;
    });
    yield { line: number, row, text };
  }
}

/**
 * Reads JSON lines: one JSON object per line. A line that is not JSON, or JSON but not an
 * object, is yielded unparsed; blank lines are skipped.
 * @param lines - the input's lines without line breaks
 */
export async function* parseJsonLines(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<SourceLine> {
  let number = 0;
  for await (const raw of lines) {
    number++;
    const text = number === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { line: number, text };
      continue;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) yield { line: number, row: value as Record<string, unknown>, text };
    else yield { line: number, text };
  }
}

/** Parses lines in `format`. */
export const parseLines = (format: InputFormat, lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<SourceLine> =>
  format === 'csv' ? parseCsvLines(lines) : parseJsonLines(lines);

/**
 * Turns generated transactions into source lines (line = position, 1-based).
 * @param rows - e.g. the generator's output
 */
export async function* transactionLines(rows: AsyncIterable<RawTransaction> | Iterable<RawTransaction>): AsyncGenerator<SourceLine> {
  let number = 0;
  for await (const row of rows) {
    number++;
    // An interface has no index signature; the row is only read by field name.
    yield { line: number, row: row as unknown as Readonly<Record<string, unknown>>, text: '' };
  }
}
