/**
 * Turning staged segments into S3 objects: parts of a multipart upload as soon as they reach
 * S3's minimum part size, and the file itself when it rolls (a single put, or the last part and
 * the upload's completion). Every step reads only the file's saved state, so doing it again
 * after a crash gives the same object.
 */
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import type { ObjectStore } from '../ports/ObjectStore.js';
import type { OpenFile, StagedSegment } from '../ports/WriterStateStore.js';
import type { FileFormat } from './formats.js';

/** S3's minimum size of every part but the last (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** Bytes staged for a file and not yet in a part. */
export const segmentBytes = (file: OpenFile): number => file.segments.reduce((sum, segment) => sum + segment.length, 0);

/** Reads a file's segments from their staged objects, in order. */
export async function readSegments(store: ObjectStore, staged: readonly string[], segments: readonly StagedSegment[]): Promise<Buffer[]> {
  return Promise.all(segments.map((segment) => store.getRange(staged[segment.object] as string, segment.offset, segment.length)));
}

/**
 * Uploads a file's segments as its next part once they reach the minimum part size (formats
 * whose chunks concatenate only), starting the multipart upload on its first part.
 * @returns the file with the part recorded and its segments cleared, or as it was
 */
export async function uploadFullPart(file: OpenFile, staged: readonly string[], store: ObjectStore, format: FileFormat): Promise<OpenFile> {
  if (!format.appendable || segmentBytes(file) < MIN_PART_BYTES) return file;
  const uploadId = file.uploadId ?? (await store.createUpload(file.key));
  const number = file.parts.length + 1;
  const etag = await store.uploadPart(file.key, uploadId, number, Buffer.concat(await readSegments(store, staged, file.segments)));
  return { ...file, uploadId, parts: [...file.parts, { number, etag }], segments: [] };
}

/** Reads segments (a file's, in order). */
export type SegmentReader = (segments: readonly StagedSegment[]) => Promise<Buffer[]>;

/**
 * Reads the segments of several files with one ranged GET per staged object, over the span its
 * segments cover. A staged object is one batch (at most Lambda's 6 MB payload): committing the
 * hundred small files a replayed batch completes reads it once, not a hundred times.
 * @returns a reader of those segments from memory
 */
export async function prefetchSegments(store: ObjectStore, staged: readonly string[], files: readonly OpenFile[], concurrency = 8): Promise<SegmentReader> {
  const spans = new Map<number, { start: number; end: number }>();
  for (const segment of files.flatMap((file) => file.segments)) {
    const span = spans.get(segment.object);
    spans.set(segment.object, { start: Math.min(span?.start ?? segment.offset, segment.offset), end: Math.max(span?.end ?? 0, segment.offset + segment.length) });
  }
  const bytes = new Map<number, Buffer>();
  await forEachConcurrent([...spans], concurrency, async ([object, { start, end }]) => {
    bytes.set(object, await store.getRange(staged[object] as string, start, end - start));
  });
  return async (segments) =>
    segments.map((segment) => {
      const span = spans.get(segment.object) as { start: number };
      return (bytes.get(segment.object) as Buffer).subarray(segment.offset - span.start, segment.offset - span.start + segment.length);
    });
}

/**
 * Commits a rolled file under its key, atomically: a put of its staged bytes (or of the Parquet
 * file built from them), or the last part and the completion of its multipart upload.
 * @param read - reads its segments (e.g. from {@link prefetchSegments})
 */
export async function commitFile(file: OpenFile, read: SegmentReader, store: ObjectStore, format: FileFormat): Promise<void> {
  if (!format.appendable) {
    await store.put(file.key, await format.build(file, read));
    return;
  }
  const rest = await read(file.segments);
  if (file.uploadId === undefined) {
    await store.put(file.key, Buffer.concat(rest));
    return;
  }
  const last = rest.length === 0 ? undefined : Buffer.concat(rest);
  await store.completeUpload(file.key, file.uploadId, file.parts, last === undefined ? undefined : { number: file.parts.length + 1, body: last });
}
