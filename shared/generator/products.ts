import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseProductsCsv } from '../products/parseProductsCsv.js';
import type { Product } from '../types.js';

/** Where the real product catalogue (5,446 products) lives, resolved from the project root. */
export const PRODUCTS_CSV = resolve(import.meta.dirname, '../../data/products.csv');

/**
 * Parses the product catalogue CSV with the products loader's parser. Any rejected row throws,
 * naming its line, because the generator's product codes must all be real and unique.
 * @param text - the CSV text
 */
export function parseProducts(text: string): Product[] {
  const { products, rejected } = parseProductsCsv(text);
  const [first] = rejected;
  if (first) throw new ConfigError('products.csv', `line ${first.line}: ${first.message}`);
  return products.map((row) => row.product);
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
