import type { DimensionLookup } from '../../shared/ports/DimensionLookup.js';
import type { ErrorDocument, ErrorSink } from '../../shared/ports/ErrorSink.js';
import type { PublishedKeys, PublishedKeysQuery } from '../../shared/ports/PublishedKeys.js';
import type { OutputRecord, PutOutcome, RecordSink } from '../../shared/ports/RecordSink.js';
import type { ClaimOutcome, KeyClaim, SeenKeyStore } from '../../shared/ports/SeenKeyStore.js';

/** An in-memory dimension that counts the keys it was asked for. */
export class InMemoryLookup<T> implements DimensionLookup<T> {
  public readonly asked: string[][] = [];
  public constructor(private readonly rows: ReadonlyMap<string, T>) {}
  public async getMany(keys: readonly string[]): Promise<ReadonlyMap<string, T>> {
    this.asked.push([...keys]);
    return new Map(keys.flatMap((key) => (this.rows.has(key) ? [[key, this.rows.get(key) as T]] : [])));
  }
}

/** An in-memory record sink; `failIndexes` makes chosen entries of the next put fail. */
export class InMemoryRecordSink implements RecordSink {
  public readonly records: OutputRecord[] = [];
  public failIndexes = new Set<number>();
  public async put(records: readonly OutputRecord[]): Promise<PutOutcome> {
    const failed = records.flatMap((_, index) => (this.failIndexes.has(index) ? [index] : []));
    this.records.push(...records.filter((_, index) => !this.failIndexes.has(index)));
    this.failIndexes = new Set();
    return { failed, calls: Math.ceil(records.length / 500) };
  }
}

/** An in-memory error sink keyed like the S3 one, so rewrites do not duplicate. */
export class InMemoryErrorSink implements ErrorSink {
  public readonly documents = new Map<string, ErrorDocument>();
  public async write(documents: readonly ErrorDocument[]): Promise<void> {
    for (const document of documents) this.documents.set(`${document.source.shard}/${document.source.seq}/${document.source.sub ?? ''}`, document);
  }
}

/** An in-memory seen-key store with the DynamoDB store's semantics (`claimedAt` optional, as on items stored before it was kept). */
export class InMemorySeenKeyStore implements SeenKeyStore {
  public readonly items = new Map<string, { owner: string; claimedAt?: number; expiresAt: number }>();
  public calls = 0;
  public async claim(claims: readonly KeyClaim[], nowSeconds: number): Promise<ClaimOutcome[]> {
    this.calls += 1;
    return claims.map((claim): ClaimOutcome => {
      const item = this.items.get(claim.key);
      if (item && item.expiresAt >= nowSeconds) {
        if (item.owner !== claim.owner) return { status: 'taken' };
        return { status: 'mine', expiresAt: item.expiresAt, ...(item.claimedAt === undefined ? {} : { claimedAt: item.claimedAt }) };
      }
      this.items.set(claim.key, { owner: claim.owner, claimedAt: claim.claimedAt, expiresAt: claim.expiresAt });
      return { status: 'new' };
    });
  }
}

/** An in-memory stream log for {@link PublishedKeys}: `publish` records values as having arrived at a time. */
export class InMemoryPublishedKeys implements PublishedKeys {
  public readonly records: { stream: string; value: unknown; arrivedAt: number }[] = [];
  /** Every query asked, to check when (and from when) the stream is read. */
  public readonly queries: PublishedKeysQuery[] = [];
  /** Records `values` (parsed JSON records) as put to `stream` at `arrivedAt` (epoch ms). */
  public publish(stream: string, arrivedAt: number, ...values: unknown[]): void {
    for (const value of values) this.records.push({ stream, value, arrivedAt });
  }
  public async find(query: PublishedKeysQuery): Promise<ReadonlySet<string>> {
    this.queries.push(query);
    const found = new Set<string>();
    for (const { stream, value, arrivedAt } of this.records) {
      const key = stream === query.stream && arrivedAt >= query.since ? query.keyOf(value) : undefined;
      if (key !== undefined && query.wanted.has(key)) found.add(key);
    }
    return found;
  }
}
