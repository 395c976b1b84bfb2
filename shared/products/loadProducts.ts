import type { ItemWriter } from '../ports/ItemWriter.js';
import type { Product } from '../types.js';

/** Options of {@link loadProducts}. */
export interface LoadProductsOptions {
  /** Told the number of items written after each slice. */
  readonly onProgress?: (items: number) => void;
  /** Items handed to the writer at a time (progress granularity). @default 1,000 */
  readonly sliceSize?: number;
}

/** What {@link loadProducts} did. */
export interface LoadProductsResult {
  readonly loaded: number;
  /** `product_cd`s still unwritten after every retry. */
  readonly failed: readonly string[];
  readonly calls: number;
  readonly retries: number;
}

/**
 * Writes products to the dimension table through an {@link ItemWriter} (whole-item puts keyed
 * by `product_cd`, so loading again leaves the same items). Products the writer could not
 * write after every retry are returned by `product_cd`, never dropped.
 * @param products - parsed products (see `parseProductsCsv`), with distinct `product_cd`s
 * @param writer - the table
 * @param options - progress
 */
export async function loadProducts(products: readonly Product[], writer: ItemWriter<Product>, options: LoadProductsOptions = {}): Promise<LoadProductsResult> {
  const size = Math.max(1, options.sliceSize ?? 1_000);
  let loaded = 0;
  let calls = 0;
  let retries = 0;
  const failed: string[] = [];
  for (let start = 0; start < products.length; start += size) {
    const slice = products.slice(start, start + size);
    const outcome = await writer.write(slice);
    calls += outcome.calls;
    retries += outcome.retries;
    failed.push(...outcome.failed.map((index) => slice[index]?.product_cd ?? ''));
    loaded += slice.length - outcome.failed.length;
    options.onProgress?.(slice.length - outcome.failed.length);
  }
  return { loaded, failed, calls, retries };
}
