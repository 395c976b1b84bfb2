/** A claim on a primary key: who (the record's position) claims it, when, and until when. */
export interface KeyClaim {
  readonly key: string;
  /** The claiming record's position (`shard:seq:sub`): the same on every redelivery of that record. */
  readonly owner: string;
  /** Epoch milliseconds the claim is made at: whatever the owner forwards, it forwards after this. */
  readonly claimedAt: number;
  /** Epoch seconds after which the claim no longer counts (and DynamoDB's TTL may delete it). */
  readonly expiresAt: number;
}

/**
 * What became of a claim: `new`, this call made it; `taken`, another record holds it (a
 * duplicate); `mine`, the same owner made it before (a redelivery of the same record, whose
 * earlier forward may or may not have landed), with when that first claim was made, so the
 * caller can look for that forward. `claimedAt` is absent on claims stored before it was
 * recorded; `expiresAt` (their expiry minus the horizon) stands in for it then.
 */
export type ClaimOutcome =
  | { readonly status: 'new' }
  | { readonly status: 'taken' }
  | { readonly status: 'mine'; readonly claimedAt?: number; readonly expiresAt: number };

/** The status of a {@link ClaimOutcome}. */
export type ClaimStatus = ClaimOutcome['status'];

/**
 * The keys seen within the dedupe horizon. Claims are atomic (conditional writes): of two
 * records racing for one key, on any shards, exactly one gets `new`.
 */
export interface SeenKeyStore {
  /**
   * Claims each key (keys are unique within a call) and answers in input order.
   * @param nowSeconds - claims that expired before this count as absent
   */
  claim(claims: readonly KeyClaim[], nowSeconds: number): Promise<ClaimOutcome[]>;
}
