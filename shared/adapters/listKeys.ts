import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** Options of {@link listKeys}. */
export interface ListKeysOptions {
  /** Keys a ListObjectsV2 page asks for. @default S3's 1,000 */
  readonly pageSize?: number;
  /** Stop once this many keys are listed (e.g. 1: is anything there?). @default all */
  readonly limit?: number;
}

/**
 * The keys under `prefix` (the whole bucket for `''`), following continuation tokens.
 * @param s3 - the client
 */
export async function listKeys(s3: S3Client, bucket: string, prefix: string, options: ListKeysOptions = {}): Promise<string[]> {
  const keys: string[] = [];
  const pageSize = options.limit === undefined ? options.pageSize : Math.min(options.limit, options.pageSize ?? options.limit);
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix === '' ? {} : { Prefix: prefix }), ...(pageSize === undefined ? {} : { MaxKeys: pageSize }), ...(token === undefined ? {} : { ContinuationToken: token }) }));
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = page.IsTruncated === true && (options.limit === undefined || keys.length < options.limit) ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return options.limit === undefined ? keys : keys.slice(0, options.limit);
}
