/**
 * How records become file bytes, chunk by chunk: a file is written in appends across many
 * invocations, so every format here is one whose chunks concatenate into a valid file. JSON lines
 * do by nature; gzip does as a multi-member stream (RFC 1952 §2.2, what Firehose's GZIP output
 * and `zcat` handle), each append compressed on its own.
 */
import { gzipSync } from 'node:zlib';

/** The formats a chunk can be encoded in. */
export const CHUNK_FORMATS = ['json', 'gzip'] as const;

/** A chunk format. */
export type ChunkFormat = (typeof CHUNK_FORMATS)[number];

/** The object-name extension of a format. */
export const EXTENSIONS: Record<ChunkFormat, string> = { json: '.json', gzip: '.json.gz' };

/**
 * Encodes records as one chunk: JSON lines (one record per line, as the Athena JSON SerDe reads
 * them), gzip-compressed as its own member for `gzip`.
 */
export function encodeChunk(records: readonly unknown[], format: ChunkFormat): Buffer {
  const lines = Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
  return format === 'gzip' ? gzipSync(lines) : lines;
}
