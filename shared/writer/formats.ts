/**
 * The file formats the S3 writer writes. JSON lines and gzip are appendable: staged segments are
 * final bytes, concatenated into parts. Parquet is a bulk format (its footer indexes the whole
 * file), so its segments are staged as JSON lines and the file is built when it rolls, as
 * Flink's bulk formats are.
 */
import type { FileColumn, OpenFile, StagedSegment } from '../ports/WriterStateStore.js';
import { encodeChunk } from './encoding.js';
import { mergeColumns, ParquetFileBuilder, type ParquetColumn } from './parquet.js';

/** The formats a writer can be configured with (`FORMAT`). */
export const FILE_FORMATS = ['json', 'gzip', 'parquet'] as const;

/** A format name. */
export type FileFormatName = (typeof FILE_FORMATS)[number];

/** How one format stages and builds files. */
export interface FileFormat {
  readonly name: FileFormatName;
  /** The object-name extension. */
  readonly extension: string;
  /** Whether staged segments concatenate into the file (else the file is built at roll). */
  readonly appendable: boolean;
  /** Encodes records as one staged segment. */
  encode(records: readonly Record<string, unknown>[]): Buffer;
  /** The file's columns merged with those of `records` (bulk formats), or undefined. */
  columns?(known: readonly FileColumn[], records: readonly Record<string, unknown>[]): FileColumn[];
  /** Builds a bulk format's file from its segments, read a few at a time. */
  build(file: OpenFile, read: (segments: readonly StagedSegment[]) => Promise<Buffer[]>): Promise<Buffer>;
}

/** Staged bytes read at once while a Parquet file is built: bounds the memory of a roll (a batch's segment can be MBs). */
const BYTES_PER_READ = 8 * 1024 * 1024;

/** Segments in runs of about {@link BYTES_PER_READ} (at least one each). */
function readRuns(segments: readonly StagedSegment[]): StagedSegment[][] {
  const runs: StagedSegment[][] = [];
  let run: StagedSegment[] = [];
  let bytes = 0;
  for (const segment of segments) {
    if (run.length > 0 && bytes + segment.length > BYTES_PER_READ) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(segment);
    bytes += segment.length;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const parseLines = (bytes: Buffer): Record<string, unknown>[] =>
  bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const concatenated = (): never => {
  throw new Error('an appendable format is committed from its parts, not built');
};

/** A format by name. */
export const fileFormat = (name: FileFormatName): FileFormat => FORMATS[name];

/**
 * Every number is a JSON number, a double: typed INT64 when a file's values happen to be whole
 * (`mount` 1000.0 parses as 1000), one file's column would disagree with another's.
 */
const asDouble = (column: ParquetColumn): ParquetColumn => (column.type === 'INT64' ? { ...column, type: 'DOUBLE' } : column);

const PARQUET: FileFormat = {
  name: 'parquet',
  extension: '.parquet',
  appendable: false,
  encode: (records) => encodeChunk(records, 'json'),
  columns: (known, records) => mergeColumns(known as readonly ParquetColumn[], records).map(asDouble),
  build: async (file, read) => {
    const builder = new ParquetFileBuilder((file.columns ?? []) as readonly ParquetColumn[]);
    for (const run of readRuns(file.segments)) for (const bytes of await read(run)) builder.append(parseLines(bytes));
    return builder.finish();
  },
};

/** The formats by name. */
const FORMATS: Record<FileFormatName, FileFormat> = {
  json: { name: 'json', extension: '.json', appendable: true, encode: (records) => encodeChunk(records, 'json'), build: concatenated },
  gzip: { name: 'gzip', extension: '.json.gz', appendable: true, encode: (records) => encodeChunk(records, 'gzip'), build: concatenated },
  parquet: PARQUET,
};
