/**
 * How staged records become one Parquet file when an S3 writer's file rolls. The records arrive
 * in chunks (one per staged JSON-lines object), so the builder writes a row group each time
 * `rowGroupSize` rows have been buffered: at most one row group of values is held as rows, the
 * rest only as the encoded (snappy-compressed) bytes of the file. The columns are fixed before the
 * first row: the writer tracks them with {@link mergeColumns} while it stages, so every row group
 * shares one schema.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { PipelineError } from '../errors.js';

/** A Parquet column type the writer uses. */
export type ParquetColumnType = 'STRING' | 'DOUBLE' | 'INT64' | 'BOOLEAN' | 'JSON';

/** One column of a Parquet file: every column is optional (nullable). */
export interface ParquetColumn {
  readonly name: string;
  readonly type: ParquetColumnType;
}

/** Options of {@link ParquetFileBuilder}. */
export interface ParquetFileBuilderOptions {
  /** Rows per row group: what the builder buffers before it encodes them. @default 50_000 */
  readonly rowGroupSize?: number;
}

/** The schema element of each type, nullable. */
const SCHEMA_ELEMENTS: Record<ParquetColumnType, Omit<SchemaElement, 'name'>> = {
  STRING: { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  DOUBLE: { type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  INT64: { type: 'INT64', repetition_type: 'OPTIONAL' },
  BOOLEAN: { type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  JSON: { type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' },
};

/** The type a non-null JSON value asks for. */
function typeOf(value: unknown): ParquetColumnType {
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  // Integers past 2^53 are already inexact in JSON.parse's output and may not fit INT64.
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'INT64' : 'DOUBLE';
  if (typeof value === 'object') return 'JSON';
  return 'STRING';
}

/** The type of a column that saw both `a` and `b`. */
function widen(a: ParquetColumnType, b: ParquetColumnType): ParquetColumnType {
  if (a === b) return a;
  if (a === 'JSON' || b === 'JSON') return 'JSON';
  if ((a === 'INT64' && b === 'DOUBLE') || (a === 'DOUBLE' && b === 'INT64')) return 'DOUBLE';
  return 'STRING';
}

/**
 * Merges the columns seen in `records` into `known` (first-seen order kept; returns a new array).
 * A string is STRING, a safe integer INT64, another number DOUBLE, a boolean BOOLEAN, an object
 * or array JSON; null and undefined decide nothing, so a key seen only with them adds no column.
 * A column that sees another type widens: INT64 with DOUBLE is DOUBLE, JSON with anything is
 * JSON, any other mix is STRING.
 * @param known - the columns tracked so far
 * @param records - the records to take in
 */
export function mergeColumns(known: readonly ParquetColumn[], records: readonly Record<string, unknown>[]): ParquetColumn[] {
  const types = new Map(known.map((column) => [column.name, column.type]));
  for (const record of records) {
    for (const [name, value] of Object.entries(record)) {
      if (value === null || value === undefined) continue;
      const seen = types.get(name);
      const type = typeOf(value);
      types.set(name, seen === undefined ? type : widen(seen, type));
    }
  }
  return [...types].map(([name, type]) => ({ name, type }));
}

/** Converts a value to what hyparquet-writer takes for the column type, or throws. */
const CONVERTERS: Record<ParquetColumnType, (value: unknown) => unknown> = {
  STRING: (value) => (typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)),
  DOUBLE: (value) => (typeof value === 'number' ? value : undefined),
  INT64: (value) => (typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined),
  BOOLEAN: (value) => (typeof value === 'boolean' ? value : undefined),
  // hyparquet-writer writes each value of a JSON column as its JSON.stringify text.
  JSON: (value) => value,
};

/**
 * Streams rows into one Parquet file, row group by row group. Rows are buffered by column and
 * encoded as soon as a row group is full, so memory holds one row group of values plus the
 * compressed bytes written so far. Columns are snappy-compressed (hyparquet-writer's default)
 * with statistics.
 */
export class ParquetFileBuilder {
  readonly #columns: readonly ParquetColumn[];
  readonly #index: ReadonlyMap<string, number>;
  readonly #rowGroupSize: number;
  readonly #bytes = new ByteWriter();
  readonly #writer: ParquetWriter;
  #buffers: unknown[][];
  #rows = 0;
  #finished = false;

  /**
   * @param columns - every column a record may carry, in file order
   * @param options - the row-group size
   * @throws PipelineError when a column name repeats or the row-group size is not a positive integer
   */
  public constructor(columns: readonly ParquetColumn[], options: ParquetFileBuilderOptions = {}) {
    const rowGroupSize = options.rowGroupSize ?? 50_000;
    if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) throw new PipelineError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
    this.#columns = columns;
    this.#index = new Map(columns.map((column, i) => [column.name, i]));
    if (this.#index.size !== columns.length) throw new PipelineError('Parquet column names must be unique');
    this.#rowGroupSize = rowGroupSize;
    this.#buffers = columns.map(() => []);
    const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.map((column) => ({ name: column.name, ...SCHEMA_ELEMENTS[column.type] }))];
    this.#writer = new ParquetWriter({ writer: this.#bytes, schema, createdBy: 'eddy' });
  }

  /**
   * Buffers records and writes every row group they fill. A missing or null value is written as
   * null.
   * @param records - plain JSON objects whose keys are among the columns
   * @throws PipelineError when a record has a non-null value for an unknown column or one its
   * column's type cannot hold (the columns were not merged from it), or after {@link finish}
   */
  public append(records: readonly Record<string, unknown>[]): void {
    this.#assertOpen();
    for (const record of records) {
      for (const [name, value] of Object.entries(record)) {
        // Refusing the record rather than leaving the value out: data is never silently dropped.
        if (value !== null && value !== undefined && !this.#index.has(name)) throw new PipelineError(`record has a value for unknown Parquet column ${name}`);
      }
      // Converted whole before any is buffered, so a refused record leaves the columns aligned.
      const row = this.#columns.map((column) => this.#convert(column, record[column.name]));
      row.forEach((value, i) => (this.#buffers[i] as unknown[]).push(value));
      this.#rows++;
      if (this.#rows === this.#rowGroupSize) this.#flush();
    }
  }

  /**
   * Writes the buffered rows as the last row group, then the footer.
   * @returns the bytes of the whole file
   * @throws PipelineError when called twice
   */
  public finish(): Buffer {
    this.#assertOpen();
    this.#flush();
    this.#finished = true;
    void this.#writer.finish();
    return Buffer.from(this.#bytes.getBuffer());
  }

  #convert(column: ParquetColumn, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    const converted = CONVERTERS[column.type](value);
    if (converted === undefined) throw new PipelineError(`Parquet column ${column.name} (${column.type}) cannot hold ${JSON.stringify(value)}`);
    return converted;
  }

  #flush(): void {
    if (this.#rows === 0) return;
    // A ByteWriter has no flush(), so write() runs synchronously and returns undefined.
    void this.#writer.write({ columnData: this.#columns.map((column, i) => ({ name: column.name, data: this.#buffers[i] as unknown[] })), rowGroupSize: this.#rows });
    this.#buffers = this.#columns.map(() => []);
    this.#rows = 0;
  }

  #assertOpen(): void {
    if (this.#finished) throw new PipelineError('the Parquet file is already finished');
  }
}
