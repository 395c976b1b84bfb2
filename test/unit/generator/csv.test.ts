import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, csvLine, serializeRows } from '../../../shared/generator/csv.js';
import { loadProducts, parseProducts } from '../../../shared/generator/products.js';
import { generateTransactions } from '../../../shared/generator/transactions.js';
import { RAW_COLUMNS, type RawTransaction } from '../../../shared/types.js';

describe('Generator: csv and products', () => {
  it('quotes fields with commas, quotes, line breaks or edge spaces, per RFC 4180', () => {
    expect(csvField('등촌점')).toBe('등촌점');
    expect(csvField('소스,케찹')).toBe('"소스,케찹"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(2700)).toBe('2700');
  });

  it('round-trips awkward values through csv-parse', () => {
    const rows = [
      { name: '소스,케찹,드레싱', note: 'he said "no"', multi: 'line1\r\nline2', plain: 'x' },
      { name: '', note: ',', multi: '"', plain: ' y ' },
    ];
    const text = [...serializeRows(rows, 'csv', ['name', 'note', 'multi', 'plain'])].join('');
    expect(parse(text, { columns: true })).toEqual(rows);
  });

  it('round-trips generated transactions as CSV with a header and as JSONL', () => {
    const rows = [...generateTransactions({ rows: 500, stores: 25, from: '2015-01-01', to: '2015-01-02' })];
    const csv = [...serializeRows(rows, 'csv')].join('');
    expect(csv.split('\n')[0]).toBe(RAW_COLUMNS.join(','));
    const parsed = parse(csv, { columns: true, cast: (value, context) => (context.column === 'qty' || context.column === 'mount' ? Number(value) : value) });
    expect(parsed).toEqual(rows);
    const jsonl = [...serializeRows(rows, 'jsonl')].join('');
    expect(jsonl.trimEnd().split('\n').map((line) => JSON.parse(line) as RawTransaction)).toEqual(rows);
    expect(csvLine(rows[0]!, RAW_COLUMNS).split(',')).toHaveLength(10);
  });

  it('loads the 5,446 real products once, names with commas intact', () => {
    const products = loadProducts();
    expect(products).toHaveLength(5_446);
    expect(loadProducts()).toBe(products);
    expect(products.find((product) => product.product_cd === '8801052730851')?.subcategory_name).toBe('소스,케찹,드레싱');
    expect(new Set(products.map((product) => product.division_name)).size).toBeGreaterThanOrEqual(20);
  });

  it('rejects a catalogue with a duplicate product code, naming the line', () => {
    const header = 'division_cd,division_name,maincategory_cd,maincategory_name,subcategory_cd,subcategory_name,product_cd,product_name,is_pb';
    const line = '31,음료,40,a,119,b,880,c,N';
    expect(() => parseProducts(`${header}\n${line}\n${line}\n`)).toThrow(/line 3: product_cd .*already appeared/);
  });
});
