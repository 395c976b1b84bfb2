import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Product } from '../types.js';

/** Where the real product catalogue (5,446 products) lives, resolved from the project root. */
export const PRODUCTS_CSV = resolve(import.meta.dirname, '../../data/products.csv');

const COLUMNS = [
  'division_cd',
  'division_name',
  'maincategory_cd',
  'maincategory_name',
  'subcategory_cd',
  'subcategory_name',
  'product_cd',
  'product_name',
  'is_pb',
] as const;

/**
 * Parses the product catalogue CSV (RFC 4180, header row; some names contain commas).
 * A missing column or a duplicate `product_cd` throws, naming the line, because the
 * generator's product codes must all be real and unique.
 * @param text - the CSV text
 */
export function parseProducts(text: string): Product[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  const seen = new Set<string>();
  return records.map((record, index) => {
    for (const column of COLUMNS) {
      if (typeof record[column] !== 'string') throw new Error(`products.csv line ${index + 2}: missing column ${column}`);
    }
    const product: Product = {
      product_cd: record.product_cd as string,
      division_cd: record.division_cd as string,
      division_name: record.division_name as string,
      maincategory_cd: record.maincategory_cd as string,
      maincategory_name: record.maincategory_name as string,
      subcategory_cd: record.subcategory_cd as string,
      subcategory_name: record.subcategory_name as string,
      product_name: record.product_name as string,
      is_pb: record.is_pb as string,
    };
    if (seen.has(product.product_cd)) throw new Error(`products.csv line ${index + 2}: duplicate product_cd ${product.product_cd}`);
    seen.add(product.product_cd);
    return product;
  });
}

const cache = new Map<string, readonly Product[]>();

/**
 * Loads and parses the product catalogue once per path (later calls return the same array),
 * so generating many batches does not re-read the file.
 * @param path - the CSV file @default PRODUCTS_CSV
 */
export function loadProducts(path: string = PRODUCTS_CSV): readonly Product[] {
  const key = resolve(path);
  let products = cache.get(key);
  if (!products) {
    products = Object.freeze(parseProducts(readFileSync(key, 'utf8')));
    cache.set(key, products);
  }
  return products;
}
