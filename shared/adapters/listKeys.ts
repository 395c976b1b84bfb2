import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** Options of {@link listKeys}. */
export interface ListKeysOptions {
  /** Keys a ListObjectsV2 page asks for. @default S3's 1,000 */
  readonly pageSize?: number;
  /** Stop once this many keys are listed (e.g. 1: is anything there?). @default all */
  readonly limit?: number;
  /** Called with each page's objects as it arrives (before the next page is asked for), e.g. to start working on them. */
  readonly onPage?: (objects: readonly ListedObject[]) => void;
}

/** One listed object: its key, size in bytes and ETag (quotes removed). */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/**
 * The objects under `prefix` (the whole bucket for `''`), following continuation tokens.
 * @param s3 - the client
 */
export async function listObjects(s3: S3Client, bucket: string, prefix: string, options: ListKeysOptions = {}): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  const pageSize = options.limit === undefined ? options.pageSize : Math.min(options.limit, options.pageSize ?? options.limit);
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix === '' ? {} : { Prefix: prefix }), ...(pageSize === undefined ? {} : { MaxKeys: pageSize }), ...(token === undefined ? {} : { ContinuationToken: token }) }));
    const listed: ListedObject[] = [];
    for (const object of page.Contents ?? []) if (object.Key !== undefined) listed.push({ key: object.Key, size: object.Size ?? 0, etag: (object.ETag ?? '').replaceAll('"', '') });
    const taken = options.limit === undefined ? listed : listed.slice(0, options.limit - objects.length);
    options.onPage?.(taken);
    objects.push(...taken);
    token = page.IsTruncated === true && (options.limit === undefined || objects.length < options.limit) ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/**
 * The keys under `prefix` (the whole bucket for `''`), following continuation tokens.
 * @param s3 - the client
 */
export async function listKeys(s3: S3Client, bucket: string, prefix: string, options: ListKeysOptions = {}): Promise<string[]> {
  return (await listObjects(s3, bucket, prefix, options)).map((object) => object.key);
}
