import type { ClaimOutcome, SeenKeyStore } from '../ports/SeenKeyStore.js';
import type { Decoded, RecordOrigin } from '../stage/decode.js';
import type { StageOutput } from '../stage/createKinesisStage.js';

/** Dependencies of the dedupe operator. */
export interface DedupeDeps {
  readonly seen: SeenKeyStore;
  /** How long a key stays seen, in seconds. @default 86,400 (the stream's 24 h retention) */
  readonly horizonSeconds?: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/** The fields dedupe needs of a record. */
export interface Keyed {
  readonly pk: string;
}

/** The position that owns a claim: stable across redeliveries of the same record, unique otherwise. */
export const ownerOf = (origin: RecordOrigin): string => `${origin.shard}:${origin.seq}:${origin.sub ?? ''}`;

/**
 * Creates the dedupe operator: forwards each primary key once within the horizon. A key seen
 * earlier in the batch is a duplicate at once; the rest are claimed in the seen-key store in one
 * call per batch. A claim already held by the same record means the batch is being delivered
 * again, perhaps after its forward landed: the record is forwarded again, and downstream, which
 * is idempotent by `pk`, counts it once (see docs/guarantees.md).
 */
export function createDedupeOperator<T extends Keyed>(deps: DedupeDeps): (batch: readonly Decoded<T>[]) => Promise<StageOutput<T>> {
  const horizon = deps.horizonSeconds ?? 86_400;
  return async (batch) => {
    const nowSeconds = Math.floor(deps.clock() / 1000);
    const firsts = new Map<string, Decoded<T>>();
    let duplicates = 0;
    for (const record of batch) {
      if (firsts.has(record.value.pk)) duplicates += 1;
      else firsts.set(record.value.pk, record);
    }
    const candidates = [...firsts.values()];
    const outcomes: ClaimOutcome[] = await deps.seen.claim(
      // The horizon runs from when the claim is made, so a duplicate read late (a lagging
      // stream keeps records up to its retention) still finds it.
      candidates.map(({ value, origin }) => ({ key: value.pk, owner: ownerOf(origin), expiresAt: nowSeconds + horizon })),
      nowSeconds,
    );
    // Candidates are in first-occurrence order, so the forwarded records keep stream order.
    const outputs: { record: T; origin: RecordOrigin }[] = [];
    candidates.forEach(({ value, origin }, i) => {
      if (outcomes[i] === 'taken') duplicates += 1;
      else outputs.push({ record: value, origin });
    });
    return { outputs, rejected: [], duplicates };
  };
}
