import { GetShardIteratorCommand, type GetShardIteratorCommandInput, type KinesisClient } from '@aws-sdk/client-kinesis';
import { LAMBDA_LIMITS } from '../../shared/constants.js';
import { batchLength, laneOf } from './batching.js';
import { runBatch, type BatchContext, type ShardSink } from './BatchRunner.js';
import type { CheckpointStore } from './checkpoints.js';
import { eventRecordBytes, type EventSource } from './eventShape.js';
import { getShardRecords, type ShardRecord } from './getRecords.js';
import { Signal } from './Signal.js';
import type { ShardStats } from './types.js';

/**
 * Reads one shard for one function: polls GetRecords (at once while there is backlog, every
 * `pollIntervalMs` when caught up), spreads records over `parallelizationFactor` lanes by
 * partition key, and moves the checkpoint to the last record before which everything is done.
 */

/** Where the poller starts when the shard has no checkpoint. */
export type StartPosition = Pick<GetShardIteratorCommandInput, 'ShardIteratorType' | 'Timestamp'>;

/** Options of {@link ShardPoller}. */
export interface ShardPollerOptions {
  readonly kinesis: KinesisClient;
  readonly batch: BatchContext;
  readonly source: EventSource;
  readonly store: CheckpointStore;
  readonly start: StartPosition;
  readonly stats: ShardStats;
  readonly pollIntervalMs: number;
  readonly getRecordsLimit: number;
  readonly maxBufferedRecords: number;
  /** A shard finished (closed and fully processed). */
  readonly onFinished: () => void;
  readonly onError: (error: unknown) => void;
}

interface Pending {
  readonly record: ShardRecord;
  readonly fetchedAt: number;
  done: boolean;
}

/** The reader of one shard. */
export class ShardPoller {
  private readonly pending: Pending[] = [];
  private head = 0;
  private readonly bySeq = new Map<string, Pending>();
  private readonly lanes: Pending[][];
  private readonly laneSignal = new Signal();
  private readonly pollSignal = new Signal();
  private iterator: string | undefined;
  private lastFetched: string | undefined;
  private closed = false;
  private stopped = false;
  private inFlight = 0;
  /** Records fetched up to this time go without waiting for their batching window (see {@link flushWindows}). */
  private flushedAt = 0;
  private lastEmptyPollStartedAt = 0;
  private loops: Promise<void>[] = [];
  /** Where to read from when there is no sequence number to continue after. */
  private position: StartPosition;

  public constructor(private readonly options: ShardPollerOptions) {
    this.position = options.start;
    this.lanes = Array.from({ length: Math.max(1, options.batch.settings.parallelizationFactor) }, () => []);
  }

  /** Gets the shard iterator (from the checkpoint, else the start position) and starts reading. */
  public async start(): Promise<void> {
    const { store, source, start } = this.options;
    const saved = store.get(source.shardId);
    if (!saved?.sequenceNumber && saved?.startedAt !== undefined) this.position = { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(saved.startedAt) };
    else if (!saved && start.ShardIteratorType === 'LATEST') {
      // Remember where LATEST was, so neither a restart nor an expired iterator skips records.
      const startedAt = Date.now();
      store.set(source.shardId, { startedAt });
      this.iterator = await this.newIterator(undefined);
      this.position = { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(startedAt) };
    }
    this.iterator ??= await this.newIterator(saved?.sequenceNumber);
    const sink: ShardSink = { source: this.options.source, stats: this.options.stats, done: (records) => this.markDone(records) };
    this.loops = [this.pollLoop(), ...this.lanes.map((_, lane) => this.laneLoop(lane, sink))];
  }

  /** Nothing buffered or in flight, and a GetRecords started after `since` found nothing new. */
  public isIdle(since: number): boolean {
    return this.isQuiet() && (this.options.stats.finished === true || this.closed || this.lastEmptyPollStartedAt >= since);
  }

  /** Nothing buffered or in flight; unlike {@link isIdle}, says nothing of what the stream holds. */
  public isQuiet(): boolean {
    return this.options.stats.finished === true || (this.undone() === 0 && this.inFlight === 0);
  }

  /** An invocation is running on this shard. */
  public isInvoking(): boolean {
    return this.inFlight > 0;
  }

  /** Sends the records buffered now without waiting for the rest of their batching window. */
  public flushWindows(): void {
    this.flushedAt = Date.now();
    this.laneSignal.notify();
  }

  /** Polls now instead of at the end of the idle wait. */
  public poke(): void {
    this.pollSignal.notify();
  }

  /** Stops reading; the batch in flight finishes (no further retries), then the loops end. */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.pollSignal.notify();
    this.laneSignal.notify();
    await Promise.all(this.loops);
  }

  private undone(): number {
    return this.pending.length - this.head;
  }

  private async newIterator(after: string | undefined): Promise<string | undefined> {
    const { kinesis, source } = this.options;
    const position: StartPosition & { StartingSequenceNumber?: string } = after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after } : this.position;
    const out = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamNameOf(source.streamArn), ShardId: source.shardId, ...position }));
    return out.ShardIterator;
  }

  private async pollLoop(): Promise<void> {
    const { kinesis, stats } = this.options;
    while (!this.stopped && !this.closed) {
      if (this.undone() >= this.options.maxBufferedRecords) {
        await this.pollSignal.wait(this.options.pollIntervalMs);
        continue;
      }
      const started = Date.now();
      let records: readonly ShardRecord[] = [];
      try {
        if (!this.iterator) throw new Error('no shard iterator');
        const out = await getShardRecords(kinesis, { ShardIterator: this.iterator, Limit: this.options.getRecordsLimit });
        records = out.Records;
        stats.millisBehindLatest = out.MillisBehindLatest ?? 0;
        this.iterator = out.NextShardIterator;
        if (!this.iterator) this.closed = true;
      } catch (error) {
        if (this.stopped) break;
        const expired = (error as Error).name === 'ExpiredIteratorException' || !this.iterator;
        if (!expired) this.options.onError(error);
        await this.pollSignal.wait(this.options.pollIntervalMs);
        // A throttled or failed call leaves the iterator valid: keep it. Rebuilding one from the
        // start position would skip records under LATEST.
        if (expired) this.iterator = await this.newIterator(this.lastFetched ?? this.options.store.get(this.options.source.shardId)?.sequenceNumber).catch(() => this.iterator);
        continue;
      }
      for (const record of records) this.enqueue(record, started);
      stats.recordsIn += records.length;
      stats.behind = this.undone();
      if (records.length > 0) this.laneSignal.notify();
      if (this.closed) this.checkFinished();
      else if (records.length === 0) {
        this.lastEmptyPollStartedAt = started;
        await this.pollSignal.wait(this.options.pollIntervalMs);
      }
    }
    this.laneSignal.notify();
  }

  private enqueue(record: ShardRecord, fetchedAt: number): void {
    const entry: Pending = { record, fetchedAt, done: false };
    this.pending.push(entry);
    this.bySeq.set(record.SequenceNumber, entry);
    this.lastFetched = record.SequenceNumber;
    this.lanes[laneOf(record.PartitionKey, this.lanes.length)]?.push(entry);
  }

  private async laneLoop(lane: number, sink: ShardSink): Promise<void> {
    const queue = this.lanes[lane] ?? [];
    const { settings } = this.options.batch;
    const windowMs = settings.batchWindowSeconds * 1000;
    const bytesOf = (entry: Pending): number => eventRecordBytes(entry.record, this.options.source);
    while (!this.stopped) {
      const first = queue[0];
      if (!first) {
        if (this.closed && this.undone() === 0) break;
        await this.laneSignal.wait();
        continue;
      }
      const waited = Date.now() - first.fetchedAt;
      // Lambda invokes when the window ends, the batch size is reached, or the payload reaches 6 MB.
      const full = queue.length >= settings.batchSize || batchLength(queue, settings.batchSize, LAMBDA_LIMITS.payloadMaxBytes, bytesOf) < queue.length;
      if (windowMs > 0 && !full && !this.closed && waited < windowMs && first.fetchedAt > this.flushedAt) {
        await this.laneSignal.wait(windowMs - waited);
        continue;
      }
      const batch = queue.splice(0, batchLength(queue, settings.batchSize, LAMBDA_LIMITS.payloadMaxBytes, bytesOf));
      this.inFlight++;
      try {
        const completed = await runBatch(this.options.batch, sink, batch.map((entry) => entry.record));
        if (!completed) break;
      } finally {
        this.inFlight--;
      }
    }
  }

  private markDone(records: readonly ShardRecord[]): void {
    for (const record of records) {
      const entry = this.bySeq.get(record.SequenceNumber);
      if (entry) entry.done = true;
    }
    this.options.stats.recordsDone += records.length;
    let last: string | undefined;
    while (this.head < this.pending.length && this.pending[this.head]?.done) {
      const entry = this.pending[this.head++] as Pending;
      last = entry.record.SequenceNumber;
      this.bySeq.delete(last ?? '');
    }
    if (this.head > 4096 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    this.options.stats.behind = this.undone();
    if (last !== undefined) {
      this.options.store.set(this.options.source.shardId, { sequenceNumber: last });
      this.options.batch.events.emit('checkpoint', { function: this.options.batch.fn.key, streamArn: this.options.source.streamArn, shardId: this.options.source.shardId, sequenceNumber: last, finished: false });
      this.pollSignal.notify();
    }
    this.checkFinished();
  }

  private checkFinished(): void {
    if (!this.closed || this.undone() > 0 || this.options.stats.finished) return;
    const { store, source, batch } = this.options;
    const sequenceNumber = store.get(source.shardId)?.sequenceNumber;
    this.options.stats.finished = true;
    store.set(source.shardId, { ...(sequenceNumber ? { sequenceNumber } : {}), finished: true });
    batch.events.emit('checkpoint', { function: batch.fn.key, streamArn: source.streamArn, shardId: source.shardId, ...(sequenceNumber ? { sequenceNumber } : {}), finished: true });
    this.laneSignal.notify();
    this.options.onFinished();
  }
}

/** The stream name in a stream ARN (the emulator addresses streams by name). */
export const streamNameOf = (streamArn: string): string => streamArn.split(':stream/')[1] ?? streamArn;
