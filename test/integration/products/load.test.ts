import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDBDocumentClient } from '../../../shared/adapters/clients.js';
import { DynamoDBItemWriter } from '../../../shared/adapters/DynamoDBItemWriter.js';
import { loadProducts } from '../../../shared/products/loadProducts.js';
import { parseProductsCsv } from '../../../shared/products/parseProductsCsv.js';
import type { Product } from '../../../shared/types.js';
import { createTestTable, uniqueName, useTestStack } from '../../helpers/stack.js';

useTestStack();
const dynamodb = new DynamoDBClient({});
const documents = createDynamoDBDocumentClient();

async function count(table: string): Promise<number> {
  let total = 0;
  let start: Record<string, never> | undefined;
  do {
    const out = await dynamodb.send(new ScanCommand({ TableName: table, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }));
    total += out.Count ?? 0;
    start = out.LastEvaluatedKey as typeof start;
  } while (start);
  return total;
}

describe('products load against DynamoDB Local', () => {
  const table = uniqueName('products');
  const small = uniqueName('products-bad');
  beforeAll(async () => {
    await Promise.all([createTestTable(dynamodb, table, 'product_cd'), createTestTable(dynamodb, small, 'product_cd')]);
  });

  it('loads the 5,446 products of data/products.csv, and a second run leaves the same 5,446', async () => {
    const parsed = parseProductsCsv(readFileSync('data/products.csv'));
    const writer = new DynamoDBItemWriter<Product>(documents, table, { keyAttributes: ['product_cd'] });
    const first = await loadProducts(parsed.products.map(({ product }) => product), writer);
    expect(first).toMatchObject({ loaded: 5446, failed: [] });
    expect(first.calls).toBeGreaterThanOrEqual(Math.ceil(5446 / 25));
    expect(await count(table)).toBe(5446);

    const second = await loadProducts(parsed.products.map(({ product }) => product), writer);
    expect(second.loaded).toBe(5446);
    expect(await count(table)).toBe(5446);
    const { Item } = await documents.send(new GetCommand({ TableName: table, Key: { product_cd: '8801052730851' } }));
    expect(Item).toEqual({ division_cd: '21', division_name: '식재료', maincategory_cd: '29', maincategory_name: '조미료류', subcategory_cd: '86', subcategory_name: '소스,케찹,드레싱', product_cd: '8801052730851', product_name: '마시는홍초미니50ml', is_pb: 'N' });
  });

  it('loads only the good rows of a file with bad ones, which are reported with their lines', async () => {
    const text = ['division_cd,division_name,maincategory_cd,maincategory_name,subcategory_cd,subcategory_name,product_cd,product_name,is_pb', '1,a,2,b,3,c,100,first,N', '1,a,2,b,3,c,100,again,N', '1,a,2,b,3,c,,nameless,N', '1,a,2', '1,a,2,b,3,"x,y",101,second,Y'].join('\n');
    const parsed = parseProductsCsv(text);
    expect(parsed.rejected.map(({ line, reason }) => `${line}:${reason}`)).toEqual(['3:duplicate', '4:product_cd', '5:columns']);
    const result = await loadProducts(parsed.products.map(({ product }) => product), new DynamoDBItemWriter<Product>(documents, small, { keyAttributes: ['product_cd'] }));
    expect(result.loaded).toBe(2);
    expect(await count(small)).toBe(2);
    const { Item } = await documents.send(new GetCommand({ TableName: small, Key: { product_cd: '100' } }));
    expect(Item?.product_name).toBe('first');
  });
});
