import { describe, expect, it } from 'vitest';
import type { BatchWriteCommand, BatchWriteCommandOutput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBItemWriter } from '../../../shared/adapters/DynamoDBItemWriter.js';
import { loadProducts } from '../../../shared/products/loadProducts.js';
import type { Product } from '../../../shared/types.js';

type Item = Record<string, unknown>;

/** A fake document client: `unprocessed(item, seen)` leaves an item unprocessed the `seen`-th time (0-based) it is sent. */
function fakeDynamo(unprocessed: (item: Item, call: number) => boolean = () => false, throwOnCall?: (call: number) => Error | undefined) {
  const calls: Item[][] = [];
  const table = new Map<string, Item>();
  const seen = new Map<string, number>();
  const client = {
    send: async (command: BatchWriteCommand): Promise<BatchWriteCommandOutput> => {
      const call = calls.length;
      const [[name, requests] = ['', []]] = Object.entries(command.input.RequestItems ?? {});
      const items = requests.map((request) => request.PutRequest?.Item as Item);
      calls.push(items);
      const thrown = throwOnCall?.(call);
      if (thrown) throw thrown;
      const left = items.filter((item) => {
        const times = seen.get(String(item.product_cd)) ?? 0;
        seen.set(String(item.product_cd), times + 1);
        return unprocessed(item, times);
      });
      for (const item of items) if (!left.includes(item)) table.set(String(item.product_cd), item);
      // DynamoDB returns copies of the requests it did not process.
      return { UnprocessedItems: left.length > 0 ? { [name]: left.map((item) => ({ PutRequest: { Item: { ...item } } })) } : {}, $metadata: {} };
    },
  };
  return { client: client as unknown as DynamoDBDocumentClient, calls, table };
}

const product = (code: number): Product => ({ product_cd: String(code), division_cd: '1', division_name: 'd', maincategory_cd: '2', maincategory_name: 'm', subcategory_cd: '3', subcategory_name: 's', product_name: `p${code}`, is_pb: 'N' });
const noSleep = { sleep: async () => {}, random: () => 0 };

describe('Adapter: DynamoDBItemWriter', () => {
  it('writes in calls of 25 and sends again only the UnprocessedItems', async () => {
    const { client, calls, table } = fakeDynamo((item, call) => call === 0 && (item.product_cd === '3' || item.product_cd === '40'));
    const items = Array.from({ length: 60 }, (_, index) => product(index));
    const outcome = await new DynamoDBItemWriter<Product>(client, 't', { keyAttributes: ['product_cd'], concurrency: 1, ...noSleep }).write(items);
    expect(outcome).toEqual({ failed: [], calls: 5, retries: 2 });
    expect(calls.map((call) => call.length)).toEqual([25, 1, 25, 1, 10]);
    expect([calls[1]?.[0]?.product_cd, calls[3]?.[0]?.product_cd]).toEqual(['3', '40']);
    expect(table.size).toBe(60);
  });

  it('reports items never processed as failed indexes', async () => {
    const { client, table } = fakeDynamo((item) => item.product_cd === '7');
    const outcome = await new DynamoDBItemWriter<Product>(client, 't', { keyAttributes: ['product_cd'], maxAttempts: 3, ...noSleep }).write(Array.from({ length: 30 }, (_, index) => product(index)));
    expect(outcome.failed).toEqual([7]);
    expect(outcome.calls).toBe(2 + 2);
    expect(table.has('7')).toBe(false);
  });

  it('retries a throttled call whole and throws other errors', async () => {
    const throttle = new Error('slow down');
    throttle.name = 'ProvisionedThroughputExceededException';
    const throttled = fakeDynamo(undefined, (call) => (call === 0 ? throttle : undefined));
    expect(await new DynamoDBItemWriter<Product>(throttled.client, 't', { keyAttributes: ['product_cd'], ...noSleep }).write([product(1), product(2)])).toEqual({ failed: [], calls: 2, retries: 2 });
    const broken = fakeDynamo(undefined, () => new Error('ValidationException'));
    await expect(new DynamoDBItemWriter<Product>(broken.client, 't', { keyAttributes: ['product_cd'], ...noSleep }).write([product(1)])).rejects.toThrow('ValidationException');
  });
});

describe('Products: loadProducts', () => {
  it('loads every product, counts calls and retries, and names products that could not be written', async () => {
    const { client, table } = fakeDynamo((item, call) => item.product_cd === '11' || (item.product_cd === '12' && call < 3));
    const writer = new DynamoDBItemWriter<Product>(client, 't', { keyAttributes: ['product_cd'], maxAttempts: 4, concurrency: 2, ...noSleep });
    const progress: number[] = [];
    const result = await loadProducts(Array.from({ length: 100 }, (_, index) => product(index)), writer, { sliceSize: 40, onProgress: (count) => progress.push(count) });
    expect(result.loaded).toBe(99);
    expect(result.failed).toEqual(['11']);
    expect(table.size).toBe(99);
    expect(progress).toEqual([39, 40, 20]);
    expect(result.retries).toBeGreaterThanOrEqual(3);
  });
});
