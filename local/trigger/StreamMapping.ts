import { DescribeStreamSummaryCommand, ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import type { BatchContext } from './BatchRunner.js';
import { CheckpointStore } from './checkpoints.js';
import { isChild, readyShards } from './lineage.js';
import { ShardPoller, streamNameOf, type StartPosition } from './ShardPoller.js';
import { Signal } from './Signal.js';
import type { ShardStats } from './types.js';

/**
 * One event source mapping: a function reading one stream. Lists the shards every
 * `discoveryIntervalMs` (and as soon as a shard finishes) and starts a {@link ShardPoller} for
 * each shard whose parents are done.
 */

/** Options of {@link StreamMapping}. */
export interface StreamMappingOptions {
  readonly kinesis: KinesisClient;
  readonly batch: BatchContext;
  readonly stateDir: string;
  readonly region: string;
  readonly invokeIdentityArn: string;
  readonly discoveryIntervalMs: number;
  readonly pollIntervalMs: number;
  readonly getRecordsLimit: number;
  readonly maxBufferedRecords?: number;
  readonly log: (line: string) => void;
}

const emptyStats = (): ShardStats => ({ recordsIn: 0, recordsDone: 0, invocations: 0, errors: 0, retries: 0, recordsFailed: 0, behind: 0, millisBehindLatest: 0, finished: false });

/** A function reading one stream. */
export class StreamMapping {
  /** Counters by shard id. */
  public readonly stats = new Map<string, ShardStats>();
  private readonly pollers = new Map<string, ShardPoller>();
  private store: CheckpointStore | undefined;
  private shards: Shard[] = [];
  private stopped = false;
  private readonly wake = new Signal();
  private discovery: Promise<void> = Promise.resolve();
  private refreshing: Promise<number> | undefined;

  public constructor(private readonly options: StreamMappingOptions) {}

  private get settings(): BatchContext['settings'] {
    return this.options.batch.settings;
  }

  /** Opens the checkpoints, starts the ready shards and the discovery loop. */
  public async start(): Promise<void> {
    const { kinesis, batch, stateDir } = this.options;
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamNameOf(this.settings.streamArn) }));
    const createdAt = summary.StreamDescriptionSummary?.StreamCreationTimestamp?.getTime() ?? 0;
    this.store = await CheckpointStore.open(stateDir, batch.fn.name, this.settings.streamArn, createdAt);
    this.store.onError = (error) => batch.events.emit('error', { function: batch.fn.key, error });
    await this.refresh();
    this.discovery = this.discoveryLoop();
  }

  /**
   * Lists shards and starts those now ready.
   * @returns how many shards it started
   */
  public refresh(): Promise<number> {
    this.refreshing ??= this.listAndStart().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Every started shard is idle (see {@link ShardPoller.isIdle}). */
  public isIdle(since: number): boolean {
    return this.refreshing === undefined && [...this.pollers.values()].every((poller) => poller.isIdle(since));
  }

  /** No shard has records buffered or in flight (a check in memory, no request). */
  public isQuiet(): boolean {
    return this.refreshing === undefined && [...this.pollers.values()].every((poller) => poller.isQuiet());
  }

  /** An invocation is running on some shard. */
  public isInvoking(): boolean {
    return [...this.pollers.values()].some((poller) => poller.isInvoking());
  }

  /** Every shard sends what it has buffered now, without waiting for the rest of the batching window. */
  public flushWindows(): void {
    for (const poller of this.pollers.values()) poller.flushWindows();
  }

  /** Makes every shard poll now. */
  public poke(): void {
    for (const poller of this.pollers.values()) poller.poke();
  }

  /** Stops every shard and writes the checkpoints. */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.wake.notify();
    await this.discovery;
    await this.refreshing?.catch(() => 0);
    await Promise.all([...this.pollers.values()].map((poller) => poller.stop()));
    await this.store?.flush();
  }

  private async discoveryLoop(): Promise<void> {
    while (!this.stopped) {
      await this.wake.wait(this.options.discoveryIntervalMs);
      if (this.stopped) break;
      await this.refresh().catch((error: unknown) => this.options.batch.events.emit('error', { function: this.options.batch.fn.key, error }));
    }
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let token: string | undefined;
    do {
      const out = await this.options.kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamNameOf(this.settings.streamArn) }));
      shards.push(...(out.Shards ?? []));
      token = out.NextToken;
    } while (token);
    return shards;
  }

  private async listAndStart(): Promise<number> {
    const store = this.store;
    if (!store || this.stopped) return 0;
    this.shards = await this.listShards();
    const finished = (shardId: string): boolean => store.get(shardId)?.finished === true;
    const ready = readyShards(this.shards, finished, new Set(this.pollers.keys()));
    await Promise.all(ready.map((shard) => this.startShard(shard, store)));
    for (const shard of this.shards) {
      const id = shard.ShardId ?? '';
      if (finished(id) && !this.stats.has(id)) this.stats.set(id, { ...emptyStats(), finished: true });
    }
    return ready.length;
  }

  private async startShard(shard: Shard, store: CheckpointStore): Promise<void> {
    if (this.stopped) return;
    const shardId = shard.ShardId ?? '';
    const stats = this.stats.get(shardId) ?? emptyStats();
    this.stats.set(shardId, stats);
    const poller = new ShardPoller({
      kinesis: this.options.kinesis,
      batch: this.options.batch,
      source: { shardId, streamArn: this.settings.streamArn, region: this.options.region, invokeIdentityArn: this.options.invokeIdentityArn },
      store,
      start: isChild(shard, this.shards) ? { ShardIteratorType: 'TRIM_HORIZON' } : this.startPosition(),
      stats,
      pollIntervalMs: this.options.pollIntervalMs,
      getRecordsLimit: this.options.getRecordsLimit,
      maxBufferedRecords: this.options.maxBufferedRecords ?? Math.max(10_000, 2 * this.settings.batchSize * this.settings.parallelizationFactor),
      onFinished: () => this.wake.notify(),
      onError: (error) => this.options.batch.events.emit('error', { function: this.options.batch.fn.key, shardId, error }),
    });
    this.pollers.set(shardId, poller);
    try {
      await poller.start();
    } catch (error) {
      this.pollers.delete(shardId);
      throw error;
    }
  }

  private startPosition(): StartPosition {
    const { startingPosition, startingPositionTimestamp } = this.settings;
    if (startingPosition === 'AT_TIMESTAMP') return { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date((startingPositionTimestamp ?? 0) * 1000) };
    return { ShardIteratorType: startingPosition };
  }
}
