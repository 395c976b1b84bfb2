import { parse } from 'csv-parse/sync';
import { ConfigError } from '../errors.js';
import type { Product } from '../types.js';

/** The columns of `products.csv`, in file order. */
export const PRODUCT_CSV_COLUMNS = [
  'division_cd',
  'division_name',
  'maincategory_cd',
  'maincategory_name',
  'subcategory_cd',
  'subcategory_name',
  'product_cd',
  'product_name',
  'is_pb',
] as const satisfies readonly (keyof Product)[];

/** Why a row of the products file was not loaded. */
export const PRODUCT_REJECT_REASONS = {
  csv: 'the line is not valid CSV',
  columns: 'wrong number of fields',
  product_cd: 'product_cd is empty',
  duplicate: 'product_cd already appeared earlier in the file',
} as const;

/** A rejected row: where, why (a key of {@link PRODUCT_REJECT_REASONS}) and the details. */
export interface RejectedRow {
  /** 1-based line where the row starts (the header is line 1). */
  readonly line: number;
  readonly reason: keyof typeof PRODUCT_REJECT_REASONS;
  readonly message: string;
}

/** A parsed product and its line. */
export interface ProductRow {
  readonly line: number;
  readonly product: Product;
}

/** Result of {@link parseProductsCsv}: every data row is in exactly one of the two lists. */
export interface ParsedProducts {
  readonly products: readonly ProductRow[];
  readonly rejected: readonly RejectedRow[];
  /** Data rows read (header and blank lines excluded). */
  readonly rows: number;
}

interface ParsedRecord {
  readonly record: string[];
  readonly raw: string;
  readonly info: { readonly lines: number };
}

/** First line of a record, from the line it ends on and its raw text (a quoted field may span lines). */
const firstLine = (endLine: number, raw: string): number => endLine - (raw.replace(/^(?:\r?\n)+/, '').replace(/\r?\n$/, '').split('\n').length - 1);

/**
 * Parses the product dimension CSV (RFC 4180, header row, names may contain quoted commas).
 * A row with the wrong number of fields, an empty `product_cd`, a `product_cd` seen on an
 * earlier line, or broken quoting is rejected with its line and reason; the rest are products.
 * @param text - the file's contents
 * @throws ConfigError when the header lacks a column
 */
export function parseProductsCsv(text: string | Buffer): ParsedProducts {
  const rejected: RejectedRow[] = [];
  const records = parse(text, {
    bom: true,
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      rejected.push({ line: firstLine(Number(error?.lines ?? 0), raw ?? ''), reason: 'csv', message: `${PRODUCT_REJECT_REASONS.csv}: ${error?.message ?? 'unknown error'}` });
      return undefined;
    },
  }) as unknown as ParsedRecord[];
  const [header, ...rows] = records;
  if (!header) return { products: [], rejected, rows: rejected.length };
  const names = header.record.map((name) => name.trim());
  const missing = PRODUCT_CSV_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) throw new ConfigError('products file', `line 1: the header lacks ${missing.join(', ')} (expected ${PRODUCT_CSV_COLUMNS.join(',')})`);
  const products: ProductRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, raw, info } of rows) {
    const line = firstLine(info.lines, raw);
    if (record.length !== names.length) {
      rejected.push({ line, reason: 'columns', message: `${PRODUCT_REJECT_REASONS.columns}: expected ${names.length}, got ${record.length}` });
      continue;
    }
    const product = Object.fromEntries(PRODUCT_CSV_COLUMNS.map((column) => [column, record[names.indexOf(column)] ?? ''])) as unknown as Product;
    if (product.product_cd.trim() === '') {
      rejected.push({ line, reason: 'product_cd', message: PRODUCT_REJECT_REASONS.product_cd });
      continue;
    }
    const first = seen.get(product.product_cd);
    if (first !== undefined) {
      rejected.push({ line, reason: 'duplicate', message: `${PRODUCT_REJECT_REASONS.duplicate}: ${product.product_cd} (first on line ${first})` });
      continue;
    }
    seen.set(product.product_cd, line);
    products.push({ line, product });
  }
  rejected.sort((a, b) => a.line - b.line);
  return { products, rejected, rows: rows.length + rejected.filter(({ reason }) => reason === 'csv').length };
}
