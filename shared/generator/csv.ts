import { RAW_COLUMNS, type RawTransaction } from '../types.js';

/** The output formats of `eddy generate` and `eddy datagen`. */
export const OUTPUT_FORMATS = ['csv', 'jsonl'] as const;

/** An output format: CSV with a header row, or one JSON object a line. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A value of an output row. */
export type CellValue = string | number | boolean | null | undefined;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One CSV field per RFC 4180: quoted (with `"` doubled) when it holds a comma, a quote, a line
 * break or edge whitespace; `null`/`undefined` is the empty field.
 * @param value - the value
 */
export function csvField(value: CellValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One CSV line (no line break) of `row`'s `columns`, in that order.
 * @param row - the row
 * @param columns - the columns to write
 */
export function csvLine(row: object, columns: readonly string[]): string {
  const values = row as Readonly<Record<string, CellValue>>;
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : ',') + csvField(values[columns[i] as string]);
  return line;
}

/**
 * A function turning one row into one line (without the line break) in `format`; JSONL writes
 * the row's own keys, CSV writes `columns`.
 * @param format - `csv` or `jsonl`
 * @param columns - CSV columns @default RAW_COLUMNS
 */
export function lineSerializer<Row extends object>(format: OutputFormat, columns: readonly string[] = RAW_COLUMNS): (row: Row) => string {
  if (format === 'jsonl') return (row) => JSON.stringify(row);
  return (row) => csvLine(row, columns);
}

/**
 * Serializes rows to lines, each ending in `\n`, with a header row first for CSV, lazily.
 * @param rows - the rows, e.g. from `generateTransactions()`
 * @param format - `csv` or `jsonl`
 * @param columns - CSV columns and header @default RAW_COLUMNS
 */
export function* serializeRows<Row extends object = RawTransaction>(
  rows: Iterable<Row>,
  format: OutputFormat,
  columns: readonly string[] = RAW_COLUMNS,
): Generator<string, void, undefined> {
  if (format === 'csv') yield `${columns.map(csvField).join(',')}\n`;
  const toLine = lineSerializer<Row>(format, columns);
  for (const row of rows) yield `${toLine(row)}\n`;
}
