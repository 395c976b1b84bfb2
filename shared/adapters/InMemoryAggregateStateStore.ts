import { SEP, applyToSlice, sliceImage, type BatchSpan, type SliceState } from '../aggregate/partials.js';
import { BEFORE_TIME } from '../aggregate/watermark.js';
import {
  CONTINUOUS_SLICE,
  type AggregateStateStore,
  type DistinctAdd,
  type FiringClaim,
  type PendingFiring,
  type PipelineState,
  type ShardAdvance,
  type ShardClock,
  type SliceImage,
  type SliceUpdate,
} from '../ports/AggregateStateStore.js';

/**
 * The aggregate state in memory, with the DynamoDB adapter's semantics (per-item checkpoints,
 * set-union buckets, guarded clocks and claims) and its request counts: for the operator's unit
 * tests and its throughput benchmark, where DynamoDB's latency would hide the operator's cost.
 */
export class InMemoryAggregateStateStore implements AggregateStateStore {
  /** Requests the DynamoDB adapter would have made for the same calls. */
  public readonly requests = { reads: 0, writes: 0 };
  public readonly slices = new Map<string, SliceState>();
  public readonly buckets = new Map<string, Set<string>>();
  private readonly shards = new Map<string, ShardClock>();
  private readonly fired = new Map<string, number>();
  private readonly pending = new Map<string, PendingFiring>();
  private readonly missing = new Map<string, number>();

  public async readPipeline(): Promise<PipelineState> {
    this.requests.reads += 1;
    return { shards: new Map(this.shards), fired: new Map(this.fired), pending: new Map(this.pending), missing: new Map(this.missing) };
  }

  public async addDistinct(adds: readonly DistinctAdd[]): Promise<number[]> {
    return adds.map((add) => {
      this.requests.writes += 1;
      const key = [add.query, add.slice, add.aggregate, add.partition, add.bucket, add.group].join(SEP);
      const set = this.buckets.get(key) ?? new Set<string>();
      this.buckets.set(key, set);
      for (const value of add.values) set.add(value);
      return set.size;
    });
  }

  public async applySlices(shard: string, batch: BatchSpan, updates: readonly SliceUpdate[]): Promise<SliceImage[]> {
    return updates.map((update) => {
      const key = `${update.query}${SEP}${update.slice}`;
      // As DynamoDB's conditional write: a batch already in leaves the item, and its version, as it is.
      const item = applyToSlice(this.slices.get(key) ?? {}, shard, batch, update) ?? this.slices.get(key) ?? {};
      if (item !== this.slices.get(key)) {
        this.requests.writes += 1;
        this.slices.set(key, item);
      }
      // A stored item is never changed in place (a write stores a new one), so the image may share it.
      return sliceImage(update.query, update.slice, item);
    });
  }

  public async advanceShard(shard: string, advance: ShardAdvance): Promise<void> {
    this.requests.writes += 1;
    const current = this.shards.get(shard);
    if (current?.position !== undefined && current.position >= advance.position) {
      this.shards.set(shard, { ...current, activeAt: advance.activeAt });
      return;
    }
    for (const parent of advance.finishedParents ?? []) {
      const clock = this.shards.get(parent);
      if (clock !== undefined) this.shards.set(parent, { ...clock, finished: true });
    }
    const paths = new Map(current?.paths ?? []);
    for (const [path, eventTime] of advance.paths) paths.set(path, { eventTime, activeAt: advance.activeAt });
    this.shards.set(shard, { activeAt: advance.activeAt, firstSeenAt: current?.firstSeenAt ?? advance.activeAt, position: advance.position, paths });
  }

  public async claimFiring(owner: string, claims: readonly FiringClaim[], now: number): Promise<boolean> {
    if (claims.length === 0) return true;
    this.requests.writes += 1;
    if (claims.some((claim) => this.pending.has(claim.query) || this.fired.get(claim.query) !== claim.from)) return false;
    for (const claim of claims) {
      this.fired.set(claim.query, claim.to);
      this.pending.set(claim.query, { from: claim.from ?? BEFORE_TIME, to: claim.to, owner, claimedAt: now });
    }
    return true;
  }

  public async takeOverFiring(query: string, pending: PendingFiring, owner: string, now: number): Promise<boolean> {
    this.requests.writes += 1;
    const current = this.pending.get(query);
    if (current?.owner !== pending.owner || current.claimedAt !== pending.claimedAt) return false;
    this.pending.set(query, { ...current, owner, claimedAt: now });
    return true;
  }

  public async noteMissing(paths: readonly string[], now: number): Promise<void> {
    this.requests.writes += 1;
    for (const path of paths) if (!this.missing.has(path)) this.missing.set(path, now);
  }

  public async completeFiring(query: string, to: number): Promise<void> {
    this.requests.writes += 1;
    if (this.pending.get(query)?.to === to) this.pending.delete(query);
  }

  public async readSlices(query: string, from: number, to: number): Promise<SliceImage[]> {
    this.requests.reads += 1;
    const images: SliceImage[] = [];
    for (const [key, item] of this.slices) {
      const [name, start] = key.split(SEP);
      const slice = Number(start);
      if (name === query && slice !== CONTINUOUS_SLICE && slice >= from && slice < to) images.push(sliceImage(query, slice, { ...item }));
    }
    return images.sort((a, b) => a.slice - b.slice);
  }
}
