import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import { parseProductsCsv } from '../../../shared/products/parseProductsCsv.js';

const HEADER = 'division_cd,division_name,maincategory_cd,maincategory_name,subcategory_cd,subcategory_name,product_cd,product_name,is_pb';

describe('Products: parseProductsCsv', () => {
  it('parses the real catalogue: 5,446 products, names with quoted commas intact, nothing rejected', () => {
    const parsed = parseProductsCsv(readFileSync('data/products.csv'));
    expect(parsed.rows).toBe(5446);
    expect(parsed.products).toHaveLength(5446);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.products.find(({ product }) => product.product_cd === '8801052730851')).toEqual({
      line: 5,
      product: { division_cd: '21', division_name: '식재료', maincategory_cd: '29', maincategory_name: '조미료류', subcategory_cd: '86', subcategory_name: '소스,케찹,드레싱', product_cd: '8801052730851', product_name: '마시는홍초미니50ml', is_pb: 'N' },
    });
  });

  it('rejects bad rows with their line and reason and keeps the good ones', () => {
    const text = [
      HEADER,
      '1,a,2,b,3,c,100,first,N', // 2
      '1,a,2,b,3,c,100,again,N', // 3 duplicate
      '1,a,2,b,3,c,,nameless,N', // 4 empty product_cd
      '1,a,2', // 5 too few fields
      '1,a,2,b,3,"two\nlines",101,q,N', // 6–7, a quoted line break is fine
      '1,a,2,b,3,c,102,x,N,extra', // 8 too many fields
      '',
      '1,a,2,b,3,c,104,after-blank,N', // 10
      '',
      '1,a,2,b,3,c,103,"unclosed,N', // 12 broken quoting to the end
    ].join('\n');
    const parsed = parseProductsCsv(text);
    expect(parsed.products.map(({ line, product }) => [line, product.product_cd])).toEqual([
      [2, '100'],
      [6, '101'],
      [10, '104'],
    ]);
    expect(parsed.products[1]?.product.subcategory_name).toBe('two\nlines');
    expect(parsed.rejected.map(({ line, reason }) => [line, reason])).toEqual([
      [3, 'duplicate'],
      [4, 'product_cd'],
      [5, 'columns'],
      [8, 'columns'],
      [12, 'csv'],
    ]);
    expect(parsed.rejected[0]?.message).toMatch(/100 \(first on line 2\)/);
    expect(parsed.rejected[2]?.message).toMatch(/expected 9, got 3/);
    expect(parsed.rows).toBe(8);
  });

  it('stops with a ConfigError when the header lacks a column', () => {
    expect(() => parseProductsCsv('product_cd,product_name\n1,a\n')).toThrow(ConfigError);
    expect(() => parseProductsCsv('product_cd,product_name\n1,a\n')).toThrow(/lacks division_cd/);
  });
});
