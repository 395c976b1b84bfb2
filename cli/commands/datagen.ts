import { readFileSync } from 'node:fs';
import { ConfigError } from '../../shared/errors.js';
import { lineSerializer, OUTPUT_FORMATS, csvLine } from '../../shared/generator/csv.js';
import { datagenRows, type DatagenRow } from '../../shared/generator/datagen.js';
import { parseDatagenSchema, type DatagenSchema } from '../../shared/generator/datagenSchema.js';
import { paceRows } from '../../shared/generator/pace.js';
import { choiceFlag, numberFlag, stringFlag, type Command } from '../command.js';
import { writeRowLines } from '../writeOutput.js';

/** `eddy datagen`: rows for any schema, like Flink's datagen connector. */
export const command: Command = {
  name: 'datagen',
  summary: 'Generate rows for any schema, like Flink’s datagen connector: random or sequence fields, a row limit and a rate.',
  usage: 'datagen --schema FILE|JSON [--rows N] [--rows-per-second R] [--seed S] [--format jsonl|csv] [--out FILE]',
  details: `Schema (a file, or the JSON itself):
  {"fields": {"<name>": {"type": …, "kind": "random"|"sequence", …options}, …},
   "rows-per-second": R, "number-of-rows": N}          (both optional; flags win)

Field options (as Flink's fields.<name>.*):
  type       int | double | string | boolean | timestamp            (required)
  kind       random (default) | sequence (int, double, string only)
  min, max   random int (default: the INT range) or double (default 0..1), inclusive
  start, end sequence bounds, integers, both required; the stream ends when a sequence does
  length     random string length in hex characters (default 100)
  max-past   random timestamp within the last N ms (default 0 = now); printed YYYY-MM-DD HH:MM:SS.sss UTC
  null-rate  fraction of nulls, 0..1 (default 0)

Without --rows, number-of-rows or a sequence the stream is unbounded (stop it with Ctrl-C,
or pipe into head). --rows-per-second 0 (the default) means as fast as possible.

Example:
  eddy datagen --rows 5 --schema '{"fields":{"id":{"type":"int","kind":"sequence","start":1,"end":1000},
    "name":{"type":"string","length":10},"price":{"type":"double","min":0.5,"max":9.5},
    "ok":{"type":"boolean"},"ts":{"type":"timestamp","max-past":60000}}}'`,
  flags: {
    schema: { type: 'string', short: 's', description: 'Schema file, or the schema JSON itself' },
    rows: { type: 'string', description: 'Rows to generate at most (default: number-of-rows, a sequence’s end, or unbounded)' },
    'rows-per-second': { type: 'string', description: 'Rate limit; 0 = unlimited (default: the schema’s, else 0)' },
    seed: { type: 'string', description: 'Seed of the random fields', default: '1' },
    format: { type: 'string', description: 'jsonl or csv (with header)', default: 'jsonl' },
    out: { type: 'string', short: 'o', description: 'Write to this file (with a progress line) instead of stdout' },
  },
  async run(flags) {
    const schema = readSchema(stringFlag(flags, 'schema'));
    const rows = numberFlag(flags, 'rows', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
    const rate = numberFlag(flags, 'rows-per-second', { min: 0 }) ?? schema.rowsPerSecond ?? 0;
    const seed = numberFlag(flags, 'seed', { min: 0, max: 0xffff_ffff, integer: true });
    const format = choiceFlag(flags, 'format', OUTPUT_FORMATS) ?? 'jsonl';
    const columns = schema.fields.map(([name]) => name);
    const toLine = lineSerializer<DatagenRow>(format, columns);
    const groups = async function* (): AsyncGenerator<string | string[]> {
      if (format === 'csv') yield [`${csvLine(Object.fromEntries(columns.map((name) => [name, name])), columns)}\n`];
      for await (const group of paceRows(datagenRows(schema, { seed, ...(rows !== undefined ? { rows } : {}) }), rate)) {
        yield group.map((row) => `${toLine(row)}\n`);
      }
    };
    const out = stringFlag(flags, 'out');
    const total = rows ?? schema.numberOfRows;
    await writeRowLines(groups(), { out, header: format === 'csv', ...(total !== undefined ? { total } : {}), label: 'datagen' });
    return 0;
  },
};

/** Reads `--schema`: inline JSON when it starts with `{`, else a file path. */
function readSchema(value: string | undefined): DatagenSchema {
  if (value === undefined) throw new ConfigError('--schema', "is required: a file or the JSON itself. See 'eddy datagen --help'.");
  const inline = value.trimStart().startsWith('{');
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new ConfigError('--schema', `cannot read '${value}': ${(error as Error).message}`, { cause: error });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('--schema', `${inline ? 'the schema' : `'${value}'`} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseDatagenSchema(parsed);
}
