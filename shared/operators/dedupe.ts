import type { PublishedKeys } from '../ports/PublishedKeys.js';
import type { ClaimOutcome, SeenKeyStore } from '../ports/SeenKeyStore.js';
import type { Decoded, RecordOrigin } from '../stage/decode.js';
import type { StageOutput } from '../stage/createKinesisStage.js';

/** Dependencies of the dedupe operator. */
export interface DedupeDeps {
  readonly seen: SeenKeyStore;
  /** What is already on the output stream: asked only when a batch is delivered again. */
  readonly published: PublishedKeys;
  /** The stream the forwarded records are put to (the clean stream). */
  readonly outputStream: string;
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

/** The `pk` of a forwarded record as read back from the output stream. */
const pkOf = (value: unknown): string | undefined => {
  const pk = typeof value === 'object' && value !== null ? (value as { pk?: unknown }).pk : undefined;
  return typeof pk === 'string' ? pk : undefined;
};

/**
 * Creates the dedupe operator: forwards each primary key once within the horizon, and puts it
 * on the output stream exactly once. A key seen earlier in the batch is a duplicate at once; the
 * rest are claimed in the seen-key store in one call per batch. A claim another record holds
 * makes a duplicate. A claim the same record already holds (`mine`) means the batch is being
 * delivered again, perhaps after its forward landed: only then is the output stream read, from
 * the earliest such claim on, and the records already there are counted as `alreadyPublished`
 * instead of being put again (see docs/guarantees.md).
 */
export function createDedupeOperator<T extends Keyed>(deps: DedupeDeps): (batch: readonly Decoded<T>[]) => Promise<StageOutput<T>> {
  const horizon = deps.horizonSeconds ?? 86_400;
  /** When a `mine` claim was made, in epoch ms; claims stored without the time fall back on their expiry. */
  const claimTime = (outcome: Extract<ClaimOutcome, { status: 'mine' }>): number => outcome.claimedAt ?? (outcome.expiresAt - horizon) * 1000;
  return async (batch) => {
    const now = deps.clock();
    const nowSeconds = Math.floor(now / 1000);
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
      candidates.map(({ value, origin }) => ({ key: value.pk, owner: ownerOf(origin), claimedAt: now, expiresAt: nowSeconds + horizon })),
      nowSeconds,
    );
    const published = await alreadyPublished(deps, outcomes, candidates, claimTime);
    // Candidates are in first-occurrence order, so the forwarded records keep stream order.
    const outputs: { record: T; origin: RecordOrigin }[] = [];
    let skipped = 0;
    candidates.forEach(({ value, origin }, i) => {
      const { status } = outcomes[i] as ClaimOutcome;
      if (status === 'taken') duplicates += 1;
      else if (status === 'mine' && published.has(value.pk)) skipped += 1;
      else outputs.push({ record: value, origin });
    });
    return { outputs, rejected: [], duplicates, alreadyPublished: skipped };
  };
}

/** The keys of `mine` claims already on the output stream; no read at all when there is none. */
async function alreadyPublished<T extends Keyed>(
  deps: DedupeDeps,
  outcomes: readonly ClaimOutcome[],
  candidates: readonly Decoded<T>[],
  claimTime: (outcome: Extract<ClaimOutcome, { status: 'mine' }>) => number,
): Promise<ReadonlySet<string>> {
  const wanted = new Set<string>();
  let since = Infinity;
  outcomes.forEach((outcome, i) => {
    if (outcome.status !== 'mine') return;
    wanted.add((candidates[i] as Decoded<T>).value.pk);
    since = Math.min(since, claimTime(outcome));
  });
  if (wanted.size === 0) return wanted;
  // Whatever an earlier attempt forwarded, it put after claiming: reading from the earliest claim finds it.
  return deps.published.find({ stream: deps.outputStream, since, wanted, keyOf: pkOf });
}
