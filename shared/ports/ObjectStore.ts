/** A part to complete a multipart upload with. */
export interface PartTag {
  readonly number: number;
  readonly etag: string;
}

/**
 * The object operations an S3 writer needs: whole puts, ranged reads of staged objects, and
 * multipart uploads, whose parts stay invisible until the upload is completed (atomically).
 */
export interface ObjectStore {
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Reads `length` bytes from `offset`. */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** Starts a multipart upload and answers its id. */
  createUpload(key: string): Promise<string>;
  /** Uploads (or replaces) one part and answers its ETag. */
  uploadPart(key: string, uploadId: string, number: number, body: Uint8Array): Promise<string>;
  /**
   * Uploads the last part (when given) and completes a multipart upload. Doing so for one an
   * earlier attempt completed (and died before recording it) succeeds when the object is there.
   */
  completeUpload(key: string, uploadId: string, parts: readonly PartTag[], last?: { readonly number: number; readonly body: Uint8Array }): Promise<void>;
  /** Deletes objects (absent ones are no error). */
  delete(keys: readonly string[]): Promise<void>;
}
