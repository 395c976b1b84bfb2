// Node 20 is the local runtime; silence the SDK's notice about it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// DynamoDB read requests per 1,000 records for the enrich stage's product lookups, cold and warm,
// against DynamoDB Local with the real 5,446 products. Run: npx tsx bench/productLookups.ts
import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDimensionLookup } from '../shared/adapters/DynamoDBDimensionLookup.js';
import { DynamoDBItemWriter } from '../shared/adapters/DynamoDBItemWriter.js';
import { generateTransactions } from '../shared/generator/transactions.js';
import { CachedDimensionLookup } from '../shared/lookup/CachedDimensionLookup.js';
import { FullCacheDimensionLookup } from '../shared/lookup/FullCacheDimensionLookup.js';
import { loadProducts } from '../shared/products/loadProducts.js';
import { parseProductsCsv } from '../shared/products/parseProductsCsv.js';
import { PRODUCT_COLUMNS, type Product } from '../shared/types.js';
import { freePort } from '../local/stack/emulators.js';
import { LOCAL_CREDENTIALS, startStack } from '../local/stack/stack.js';

const batchSize = 500;
const region = 'ap-northeast-2';
const stack = await startStack({ persist: false, dataDir: '', region, ports: { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() } });
try {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region, credentials: LOCAL_CREDENTIALS }));
  await client.send(
    new CreateTableCommand({ TableName: 'products', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'product_cd', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'product_cd', AttributeType: 'S' }] }),
  );
  const { products } = parseProductsCsv(readFileSync(new URL('../data/products.csv', import.meta.url)));
  await loadProducts(products.map((row) => row.product), new DynamoDBItemWriter(client, 'products', { keyAttributes: ['product_cd'] }));

  const rows = [...generateTransactions()];
  const attributes = ['product_cd', ...PRODUCT_COLUMNS];
  console.log(`records: ${rows.length.toLocaleString('en-US')} generated line items, lambda batches of ${batchSize}, cache TTL 5 min (not reached)`);
  for (const mode of ['partial', 'full'] as const) {
    const store = new DynamoDBDimensionLookup<Product>(client, 'products', 'product_cd', { attributes });
    const partial = new CachedDimensionLookup(store);
    const lookup = mode === 'full' ? new FullCacheDimensionLookup(store, partial) : partial;
    const perThousand: number[] = [];
    for (let start = 0; start < rows.length; start += 1000) {
      const before = store.calls;
      for (let i = start; i < Math.min(start + 1000, rows.length); i += batchSize) {
        await lookup.getMany(rows.slice(i, Math.min(i + batchSize, start + 1000)).map((row) => row.product_cd));
      }
      perThousand.push(store.calls - before);
    }
    const tail = perThousand.slice(-10);
    console.log(`PRODUCT_CACHE_MODE=${mode}`);
    console.log(`  cold (first 1,000 records):         ${perThousand[0]} read requests   goal ≤ 10`);
    console.log(`  warm (second 1,000 records):        ${perThousand[1]} requests`);
    console.log(`  warm (mean of the last 10 × 1,000): ${(tail.reduce((a, b) => a + b, 0) / tail.length).toFixed(2)} requests   goal ≤ 1`);
    console.log(`  whole run: ${store.calls} requests = ${((store.calls * 1000) / rows.length).toFixed(2)} per 1,000 records`);
  }
  const uncached = new DynamoDBDimensionLookup<Product>(client, 'products', 'product_cd', { attributes: ['product_cd', ...PRODUCT_COLUMNS] });
  for (let i = 0; i < rows.length; i += batchSize) await uncached.getMany(rows.slice(i, i + batchSize).map((row) => row.product_cd));
  console.log(`baseline without a cache: ${uncached.calls} BatchGetItem requests = ${((uncached.calls * 1000) / rows.length).toFixed(2)} per 1,000 records`);
} finally {
  await stack.stop();
}
