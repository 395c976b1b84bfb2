import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { command as datagen } from '../../../cli/commands/datagen.js';
import { command as generate } from '../../../cli/commands/generate.js';
import { helpText, parseFlags, type Command } from '../../../cli/command.js';
import { serializeRows } from '../../../shared/generator/csv.js';
import { generateTransactions } from '../../../shared/generator/transactions.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-generator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command as `eddy <argv>` would, with its progress line silenced. */
async function run(command: Command, argv: string[]): Promise<number | void> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const { flags, positionals } = parseFlags(command, argv);
    return await command.run(flags, positionals);
  } finally {
    stderr.mockRestore();
  }
}

describe('Generator: eddy generate and eddy datagen', () => {
  it('writes the same rows as the generator to --out, byte for byte, in either format', async () => {
    const argv = ['--rows', '2500', '--seed', '42', '--from', '2015-05-01', '--to', '2015-05-05', '--stores', '2'];
    const options = { rows: 2500, seed: 42, from: '2015-05-01', to: '2015-05-05', stores: 2 };
    for (const format of ['csv', 'jsonl'] as const) {
      const out = join(dir, `generated.${format}`);
      expect(await run(generate, [...argv, '--format', format, '--out', out])).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe([...serializeRows(generateTransactions(options), format)].join(''));
    }
  });

  it('stops on a bad flag with a message naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--rows', 'ten'], /^--rows: expected an integer/],
      [['--rows', '1.5'], /^--rows:/],
      [['--stores', '0'], /^--stores:/],
      [['--seed', 'x'], /^--seed:/],
      [['--format', 'xml'], /^--format: expected one of csv, jsonl/],
      [['--from', '2015-13-01'], /^--from: expected a calendar date/],
      [['--from', '2015-03-01', '--to', '2015-02-01'], /^--to: must not be before --from/],
      [['--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) await expect(run(generate, [...argv, '--out', join(dir, 'never.csv')])).rejects.toThrow(message);
  });

  it('generates datagen rows from a schema file as CSV and inline JSON as JSONL', async () => {
    const schema = join(dir, 'schema.json');
    writeFileSync(schema, JSON.stringify({ fields: { id: { type: 'int', kind: 'sequence', start: 1, end: 5 }, name: { type: 'string', length: 4 } } }));
    const csv = join(dir, 'datagen.csv');
    expect(await run(datagen, ['--schema', schema, '--format', 'csv', '--out', csv])).toBe(0);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('id,name');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['1', '2', '3', '4', '5']);
    const jsonl = join(dir, 'datagen.jsonl');
    await run(datagen, ['--schema', '{"fields":{"n":{"type":"int","min":7,"max":7}}}', '--rows', '3', '--out', jsonl]);
    expect(readFileSync(jsonl, 'utf8')).toBe('{"n":7}\n{"n":7}\n{"n":7}\n');
  });

  it('rejects a missing, unreadable, malformed or invalid schema and bad flags', async () => {
    const out = ['--out', join(dir, 'never.jsonl')];
    await expect(run(datagen, out)).rejects.toThrow(/^--schema: is required/);
    await expect(run(datagen, ['--schema', join(dir, 'missing.json'), ...out])).rejects.toThrow(/^--schema: cannot read/);
    await expect(run(datagen, ['--schema', '{"fields":', ...out])).rejects.toThrow(/^--schema: the schema is not valid JSON/);
    await expect(run(datagen, ['--schema', '{"fields":{"price":{"type":"money"}}}', ...out])).rejects.toThrow(/^field 'price': type must be one of/);
    await expect(run(datagen, ['--schema', '{"fields":{"a":{"type":"int"}}}', '--rows-per-second=-1', ...out])).rejects.toThrow(/^--rows-per-second:/);
    await expect(run(datagen, ['--schema', '{"fields":{"a":{"type":"int"}}}', '--format', 'xml', ...out])).rejects.toThrow(/^--format:/);
  });

  it('documents the schema format with an example in --help', () => {
    const help = helpText(datagen);
    expect(help).toContain('"kind":"sequence","start":1,"end":1000');
    for (const option of ['min, max', 'start, end', 'length', 'rows-per-second', 'timestamp', 'boolean']) expect(help).toContain(option);
    expect(helpText(generate)).toContain('--rows is the total over all stores');
  });
});
