import { readFile } from 'node:fs/promises';
import { createDynamoDBDocumentClient } from '../../shared/adapters/clients.js';
import { DynamoDBItemWriter } from '../../shared/adapters/DynamoDBItemWriter.js';
import { ConfigError, PartialBatchError } from '../../shared/errors.js';
import { loadProducts } from '../../shared/products/loadProducts.js';
import { parseProductsCsv } from '../../shared/products/parseProductsCsv.js';
import type { Product } from '../../shared/types.js';
import { useLocalStack } from '../../local/stack/manage.js';
import { numberFlag, stringFlag, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { resourceName } from '../resources.js';

/** `eddy products load`: the product dimension into DynamoDB. */
export const command: Command = {
  name: 'products',
  summary: 'Load the product dimension (data/products.csv) into the products table with BatchWriteItem.',
  usage: 'products load [--file FILE] [--table NAME] [--stage STAGE]',
  details: `Subcommands:
  load   put every product (25 per BatchWriteItem, UnprocessedItems retried with backoff)

Loading is idempotent: items are whole puts keyed by product_cd, so a second run leaves the same
items. Rows with the wrong number of fields, an empty product_cd, a product_cd already seen, or
broken quoting are listed with their line and reason and not loaded.`,
  flags: {
    file: { type: 'string', short: 'f', description: 'Products CSV', default: 'data/products.csv' },
    table: { type: 'string', description: 'Table name (default: the ProductsTable of serverless.yml)' },
    concurrency: { type: 'string', description: 'BatchWriteItem calls in flight', default: '8' },
    stage: { type: 'string', description: 'serverless.yml stage', default: 'dev' },
  },
  async run(flags, positionals) {
    const [sub] = positionals;
    if (sub !== 'load') throw new ConfigError('eddy products', `expected load, got '${sub ?? ''}'`);
    const file = stringFlag(flags, 'file') ?? 'data/products.csv';
    const concurrency = numberFlag(flags, 'concurrency', { min: 1, max: 64, integer: true }) ?? 8;
    const text = await readFile(file).catch((error: unknown) => {
      throw new ConfigError('--file', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    const parsed = parseProductsCsv(text);
    for (const { line, message } of parsed.rejected) process.stderr.write(`${file}:${line}: rejected: ${message}\n`);
    await useLocalStack();
    const table = stringFlag(flags, 'table') ?? (await resourceName('tables', 'ProductsTable', stringFlag(flags, 'stage') ?? 'dev'));
    const writer = new DynamoDBItemWriter<Product>(createDynamoDBDocumentClient(), table, { keyAttributes: ['product_cd'], concurrency });
    const progress = createProgress({ unit: 'items', total: parsed.products.length, label: `products → ${table}` });
    let result;
    try {
      result = await loadProducts(parsed.products.map(({ product }) => product), writer, { onProgress: (items) => progress.tick(items) });
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new ConfigError('--table', `table ${table} does not exist: run 'eddy stack up' (or pass --table)`, { cause: error });
      }
      throw error;
    } finally {
      progress.done();
    }
    process.stdout.write(
      [
        `Loaded ${file} into ${table}:`,
        `  rows read              ${parsed.rows.toLocaleString('en-US')}`,
        `  loaded                 ${result.loaded.toLocaleString('en-US')}`,
        `  rejected               ${parsed.rejected.length.toLocaleString('en-US')}`,
        `  failed                 ${result.failed.length.toLocaleString('en-US')}`,
        `  BatchWriteItem calls   ${result.calls.toLocaleString('en-US')}`,
        `  retries                ${result.retries.toLocaleString('en-US')}`,
      ].join('\n') + '\n',
    );
    if (result.failed.length > 0) {
      throw new PartialBatchError(`${result.failed.length} product(s) were still unprocessed after every retry: ${result.failed.slice(0, 20).join(', ')}`, []);
    }
    return parsed.rejected.length > 0 ? 1 : 0;
  },
};
