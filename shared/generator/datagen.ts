import { seededRandom } from '../random.js';
import type { CellValue } from './csv.js';
import type { DatagenSchema, FieldSpec } from './datagenSchema.js';

/** A generated row: field name → value, in schema order. */
export type DatagenRow = Record<string, CellValue>;

/** Options of {@link datagenRows}. */
export interface DatagenOptions {
  /** Seed of the random fields. @default 1 */
  readonly seed?: number;
  /** Rows to generate at most (overrides the schema's `number-of-rows`). @default unbounded */
  readonly rows?: number;
  /** Clock for random timestamps (`now - random × max-past`). @default Date.now */
  readonly now?: () => number;
}

const HEX = '0123456789abcdef';

/**
 * Rows for a datagen schema, as Flink's datagen connector makes them: random fields draw
 * uniformly within `[min, max]` (strings: `length` random hex characters, as Flink's), and
 * sequence fields count from `start` to `end` inclusive. As in Flink, the stream ends when
 * the first sequence is exhausted or after `rows`; with neither it never ends.
 * @param schema - from `parseDatagenSchema`
 * @param options - see {@link DatagenOptions}
 */
export function* datagenRows(schema: DatagenSchema, options: DatagenOptions = {}): Generator<DatagenRow, void, undefined> {
  const random = seededRandom(options.seed ?? 1);
  const now = options.now ?? Date.now;
  let limit = options.rows ?? schema.numberOfRows ?? Infinity;
  for (const [, spec] of schema.fields) if (spec.kind === 'sequence') limit = Math.min(limit, spec.end - spec.start + 1);
  const fields = schema.fields.map(([name, spec]) => [name, valueOf(spec, random, now)] as const);
  for (let i = 0; i < limit; i++) {
    const row: DatagenRow = {};
    for (const [name, next] of fields) row[name] = next(i);
    yield row;
  }
}

/** A function of the row index giving a field's value. */
function valueOf(spec: FieldSpec, random: () => number, now: () => number): (index: number) => CellValue {
  const value = generatorOf(spec, random, now);
  if (spec.nullRate === 0) return value;
  return (index) => (random() < spec.nullRate ? null : value(index));
}

function generatorOf(spec: FieldSpec, random: () => number, now: () => number): (index: number) => CellValue {
  if (spec.kind === 'sequence') {
    const { start } = spec;
    return spec.type === 'string' ? (index) => String(start + index) : (index) => start + index;
  }
  switch (spec.type) {
    case 'int': {
      const { min, max } = spec;
      return () => min + Math.floor(random() * (max - min + 1));
    }
    case 'double': {
      const { min, max } = spec;
      return () => min + random() * (max - min);
    }
    case 'string': {
      const { length } = spec;
      return () => {
        let text = '';
        for (let i = 0; i < length; i++) text += HEX[Math.floor(random() * 16)];
        return text;
      };
    }
    case 'boolean':
      return () => random() < 0.5;
    case 'timestamp': {
      const { maxPastMs } = spec;
      return () => formatTimestamp(now() - Math.floor(random() * (maxPastMs + 1)));
    }
  }
}

/**
 * Formats epoch milliseconds as Flink prints a `TIMESTAMP(3)`: `YYYY-MM-DD HH:MM:SS.sss` (UTC).
 * @param millis - epoch milliseconds
 */
export function formatTimestamp(millis: number): string {
  const iso = new Date(millis).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}
