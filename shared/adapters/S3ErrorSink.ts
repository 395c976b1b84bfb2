import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ErrorDocument, ErrorSink } from '../ports/ErrorSink.js';

/** Options of {@link S3ErrorSink}. */
export interface S3ErrorSinkOptions {
  /** PutObject calls in flight at once. @default 16 */
  readonly concurrency?: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * The object key of an error document: under `prefix`, partitioned by the source record's
 * arrival hour (UTC) in Hive style, then the Firehose-style error-output-type, then a name made
 * of the stage and the record's exact position. The same record always gets the same key, so a
 * re-delivered batch overwrites an object with identical bytes and never adds one.
 */
export function errorObjectKey(prefix: string, document: ErrorDocument): string {
  const at = new Date(document.arrivalTimestamp);
  const { shard, seq, sub } = document.source;
  const partition = `year=${at.getUTCFullYear()}/month=${pad(at.getUTCMonth() + 1)}/day=${pad(at.getUTCDate())}/hour=${pad(at.getUTCHours())}`;
  return `${prefix}${partition}/${document.errorOutputType}/${document.stage}-${shard}-${seq}${sub === undefined ? '' : `-${sub}`}.json`;
}

/**
 * Writes each error document as one JSON object in S3 (see {@link errorObjectKey}). Bad records
 * are rare, so one object per record buys exact, idempotent error output at a small cost.
 */
export class S3ErrorSink implements ErrorSink {
  /** PutObject calls made. */
  public calls = 0;

  public constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly options: S3ErrorSinkOptions = {},
  ) {}

  public async write(documents: readonly ErrorDocument[]): Promise<void> {
    const concurrency = this.options.concurrency ?? 16;
    for (let i = 0; i < documents.length; i += concurrency) {
      await Promise.all(
        documents.slice(i, i + concurrency).map((document) => {
          this.calls += 1;
          return this.client.send(
            new PutObjectCommand({ Bucket: this.bucket, Key: errorObjectKey(this.prefix, document), Body: `${JSON.stringify(document)}\n`, ContentType: 'application/json' }),
          );
        }),
      );
    }
  }
}
