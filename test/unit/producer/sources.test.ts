import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../../shared/producer/csvLine.js';
import { parseCsvLines, parseJsonLines, type SourceLine } from '../../../shared/producer/sources.js';
import { ConfigError } from '../../../shared/errors.js';

const collect = async (lines: AsyncIterable<SourceLine>): Promise<SourceLine[]> => {
  const out: SourceLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
};

const HEADER = 'tr_date,tr_time,store_cd,store_name,pos_num,receipt_num,product_cd,qty,mount,tr_datetime';

describe('Producer: input parsing', () => {
  it('splits RFC 4180 lines with quoted commas and doubled quotes, and refuses broken quoting', () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",,d')).toEqual(['a', 'b,c', 'say "hi"', '', 'd']);
    expect(splitCsvLine('"x"')).toEqual(['x']);
    expect(splitCsvLine('a,')).toEqual(['a', '']);
    expect(splitCsvLine('a,"unclosed')).toBeUndefined();
    expect(splitCsvLine('a,"b"c')).toBeUndefined();
    expect(splitCsvLine('a,b"c')).toBeUndefined();
  });

  it('reads CSV rows by header with qty as an integer and mount as a number, and keeps bad lines as text with their line number', async () => {
    const lines = [
      `\uFEFF${HEADER}`,
      '2015-01-02,20,12345,등촌점,1,8325,8802609028247,1,1000.0,2015-01-02 20:45:22',
      '',
      '2015-01-02,20,12345,"등촌점, 2층",1,8326,8802609028247,x,1e3,2015-01-02 20:46:00',
      'garbage line',
      '2015-01-02,20,12345,등촌점,1,"8327,8802609028247,1,1000,2015-01-02 20:47:00',
    ];
    const out = await collect(parseCsvLines(lines));
    expect(out).toHaveLength(4);
    expect(out[0]).toEqual({
      line: 2,
      text: lines[1],
      row: { tr_date: '2015-01-02', tr_time: '20', store_cd: '12345', store_name: '등촌점', pos_num: '1', receipt_num: '8325', product_cd: '8802609028247', qty: 1, mount: 1000, tr_datetime: '2015-01-02 20:45:22' },
    });
    expect(out[1]?.line).toBe(4);
    expect(out[1]?.row).toMatchObject({ store_name: '등촌점, 2층', qty: 'x', mount: 1000 });
    expect(out.slice(2).map(({ line, row, text }) => ({ line, parsed: row !== undefined, text }))).toEqual([
      { line: 5, parsed: false, text: 'garbage line' },
      { line: 6, parsed: false, text: lines[5] },
    ]);
  });

  it('stops with a ConfigError naming the columns a CSV header lacks', async () => {
    await expect(collect(parseCsvLines(['tr_date,qty', '1,2']))).rejects.toThrow(ConfigError);
    await expect(collect(parseCsvLines(['tr_date,qty', '1,2']))).rejects.toThrow(/lacks tr_time, store_cd/);
  });

  it('reads JSON lines, keeping non-JSON and non-object lines as text', async () => {
    const out = await collect(parseJsonLines(['{"qty":1}', '{oops', '[1,2]', '  ', '"text"']));
    expect(out).toEqual([
      { line: 1, row: { qty: 1 }, text: '{"qty":1}' },
      { line: 2, text: '{oops' },
      { line: 3, text: '[1,2]' },
      { line: 5, text: '"text"' },
    ]);
  });
});
