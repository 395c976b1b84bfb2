import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type _Record, type GetRecordsOutput, type KinesisClient } from '@aws-sdk/client-kinesis';
import { userRecordsOf } from '../kpl.js';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import { KINESIS_LIMITS, RETRY_DEFAULTS } from '../constants.js';
import { RetryableError } from '../errors.js';
import type { PublishedKeys, PublishedKeysQuery } from '../ports/PublishedKeys.js';
import { backoffDelay, sleep, type RetryOptions } from '../retry.js';
import { isKinesisThrottling } from './KinesisRecordSink.js';

/** Options of {@link KinesisPublishedKeys}. */
export interface KinesisPublishedKeysOptions extends RetryOptions {
  /**
   * How long before `since` reading starts: `since` comes from the caller's clock, arrival
   * timestamps from Kinesis', and the two may disagree. @default 300,000 (5 minutes)
   */
  readonly marginMs?: number;
  /** Shards read at once. @default 8 */
  readonly concurrency?: number;
  /** Records per GetRecords call, at most the service's 10,000. @default 10,000 */
  readonly limit?: number;
  /** Milliseconds since the epoch: reading never starts later than now (Kinesis refuses a future time). @default Date.now */
  readonly clock?: () => number;
}

/** Requests {@link KinesisPublishedKeys} made, retries included. */
export interface PublishedKeysRequests {
  listShards: number;
  getShardIterator: number;
  getRecords: number;
}

const DEFAULT_MARGIN_MS = 5 * 60 * 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The key of one user record's data, or `undefined` when it is not UTF-8 JSON or has none. */
function keyOfData(data: Uint8Array, keyOf: PublishedKeysQuery['keyOf']): string | undefined {
  try {
    return keyOf(JSON.parse(utf8.decode(data)));
  } catch {
    // Not a JSON record: it cannot be one of ours, so it holds none of the keys.
    return undefined;
  }
}

/** The keys a stream record holds: its own, or each of its user records' when it is KPL-aggregated. */
function keysOfRecord(record: _Record, keyOf: PublishedKeysQuery['keyOf']): (string | undefined)[] {
  if (!record.Data) return [];
  try {
    return userRecordsOf(record).map((sub) => keyOfData(sub.data, keyOf));
  } catch {
    // A corrupt aggregate was never put whole by us: it holds none of the keys.
    return [];
  }
}

/**
 * {@link PublishedKeys} on a Kinesis stream, by reading it: ListShards (every shard, open and
 * closed, so records put before a reshard are found in the parents), then for each shard, a few
 * at a time, GetShardIterator `AT_TIMESTAMP` (`since` minus the margin) and GetRecords
 * (10,000 records a call) to the shard's end or its tip, parsing each record as UTF-8 JSON; a
 * KPL-aggregated record (as `AggregatingRecordSink` puts them) is read as its user records. Reading stops as soon as every wanted key is found. Throttled calls are retried with
 * backoff and an expired iterator is renewed after the last record read.
 *
 * Cost: one stream scan from `since`, so it is meant for rare paths (a retry), not per batch.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 */
export class KinesisPublishedKeys implements PublishedKeys {
  /** Requests made, retries included. */
  public readonly requests: PublishedKeysRequests = { listShards: 0, getShardIterator: 0, getRecords: 0 };
  readonly #client: KinesisClient;
  readonly #options: KinesisPublishedKeysOptions;

  /**
   * @param client - a Kinesis client (see `createKinesisClient`); SDK-level retries are harmless here, reads are idempotent
   * @param options - margin, concurrency, GetRecords limit, retry bounds, injectable clock and sleep
   */
  public constructor(client: KinesisClient, options: KinesisPublishedKeysOptions = {}) {
    this.#client = client;
    this.#options = options;
  }

  public async find(query: PublishedKeysQuery): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    if (query.wanted.size === 0) return found;
    const start = Math.min(query.since - (this.#options.marginMs ?? DEFAULT_MARGIN_MS), (this.#options.clock ?? Date.now)());
    const shards = await this.#listShards(query.stream);
    await forEachConcurrent(shards, this.#options.concurrency ?? 8, (shardId) => this.#scan(query, shardId, start, found));
    return found;
  }

  /** Reads one shard from `start` to its end or tip, adding the wanted keys it holds to `found`. */
  async #scan(query: PublishedKeysQuery, shardId: string, start: number, found: Set<string>): Promise<void> {
    const limit = Math.min(this.#options.limit ?? KINESIS_LIMITS.getRecordsMaxRecords, KINESIS_LIMITS.getRecordsMaxRecords);
    let lastSequence: string | undefined;
    let iterator = await this.#iterator(query.stream, shardId, start, lastSequence);
    while (iterator !== undefined && found.size < query.wanted.size) {
      let out: GetRecordsOutput;
      try {
        const shardIterator: string = iterator;
        out = await this.#call('getRecords', () => this.#client.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: limit })));
      } catch (error) {
        // Iterators last 5 minutes; a long backoff can outlive one. Go on after the last record read.
        if (error instanceof Error && error.name === 'ExpiredIteratorException') {
          iterator = await this.#iterator(query.stream, shardId, start, lastSequence);
          continue;
        }
        throw error;
      }
      const records = out.Records ?? [];
      for (const record of records) {
        lastSequence = record.SequenceNumber ?? lastSequence;
        // AT_TIMESTAMP may start a little early (its precision); the margin is already in `start`.
        if (record.ApproximateArrivalTimestamp && record.ApproximateArrivalTimestamp.getTime() < start) continue;
        for (const key of keysOfRecord(record, query.keyOf)) if (key !== undefined && query.wanted.has(key)) found.add(key);
      }
      // Nothing returned and nothing behind: the tip of an open shard. A closed shard ends with no next iterator.
      if (records.length === 0 && !((out.MillisBehindLatest ?? 0) > 0)) break;
      iterator = out.NextShardIterator ?? undefined;
    }
  }

  /** An iterator at `start`, or just after `after` when some records were already read. */
  async #iterator(stream: string, shardId: string, start: number, after: string | undefined): Promise<string | undefined> {
    const position = after === undefined ? { ShardIteratorType: 'AT_TIMESTAMP' as const, Timestamp: new Date(start) } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: after };
    const out = await this.#call('getShardIterator', () => this.#client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ...position })));
    return out.ShardIterator ?? undefined;
  }

  /** Every shard of the stream, open and closed (ListShards lists both by default), page by page. */
  async #listShards(stream: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const request = token === undefined ? { StreamName: stream } : { NextToken: token };
      const out = await this.#call('listShards', () => this.#client.send(new ListShardsCommand(request)));
      for (const shard of out.Shards ?? []) if (shard.ShardId) ids.push(shard.ShardId);
      token = out.NextToken;
    } while (token);
    return ids;
  }

  /** Sends a read, retrying throttling (per-shard read limits, control-plane rates) with backoff. */
  async #call<T>(kind: keyof PublishedKeysRequests, send: () => Promise<T>): Promise<T> {
    const maxAttempts = this.#options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await (this.#options.sleep ?? sleep)(backoffDelay(attempt, this.#options));
      this.requests[kind] += 1;
      try {
        return await send();
      } catch (error) {
        if (!isKinesisThrottling(error)) throw error;
        if (attempt + 1 >= maxAttempts) throw new RetryableError(`Kinesis ${kind} still throttled after ${maxAttempts} attempts`, { cause: error });
      }
    }
  }
}
