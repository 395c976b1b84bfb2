import { PoisonRecordError } from '../errors.js';
import type { OutputRecord, PutOutcome, RecordSink } from '../ports/RecordSink.js';
import { primaryKeyOf } from '../primaryKey.js';
import { KINESIS_LIMITS } from '../constants.js';
import { sleep } from '../retry.js';
import { formatEventTime, preciseNow } from './eventTime.js';
import { createPacer, eventTimeMs, type Clock, type PacingOptions } from './pacing.js';
import type { PartitionKeyFn } from './partitionKeys.js';
import type { SourceLine } from './sources.js';

/** Options of {@link produceRecords}. */
export interface ProduceOptions {
  /** Picks each record's partition key. */
  readonly partitionKey: PartitionKeyFn;
  /** Rate limit and replay speed; none by default. */
  readonly pacing?: PacingOptions;
  /** Time for pacing and the summary. @default performance.now and setTimeout */
  readonly clock?: Clock;
  /** Wall-clock time (ms since the epoch) stamped as `event_time`. @default sub-ms `Date.now` */
  readonly now?: () => number;
  /** Records handed to the sink per `put`. @default 500 */
  readonly batchRecords?: number;
  /**
   * `put` calls in flight at once. One keeps the emulator fastest (kinesalite serializes writes,
   * so concurrent calls only contend) and is ~10k records/s on AWS, above a 4-shard stream's
   * 4,000 records/s write quota; raise it for many shards. @default 1
   */
  readonly inFlight?: number;
  /** When paced, buffered records wait at most this long before they are sent. @default 100 */
  readonly lingerMs?: number;
  /** Stop after this many rows. */
  readonly limit?: number;
  /** Told the number of records the stream acknowledged, after each `put`. */
  readonly onProgress?: (records: number) => void;
}

/** What {@link produceRecords} did. */
export interface ProduceSummary {
  /** Lines read (parsed or not), blank lines excluded. */
  readonly rowsRead: number;
  /** Records the stream accepted. */
  readonly recordsSent: number;
  /** Lines that did not parse and were sent as their text. */
  readonly unparseable: number;
  /** Line numbers of records still failing after every retry (not sent). */
  readonly failedLines: readonly number[];
  /** PutRecords calls, retries included. */
  readonly calls: number;
  /** Entries sent again (failed entries and throttled calls). */
  readonly retries: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

const realClock: Clock = { now: () => performance.now(), sleep };

const asText = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

/**
 * The record the producer sends for a line: the row as JSON with `event_time` (send time) and
 * `pk` ({@link primaryKeyOf}, unless the row has one, and when its key fields are present, so a
 * resend of the row carries the same key); an unparseable line as its text, unchanged.
 * @param line - the source line
 * @param eventTime - the send time, formatted
 */
export function recordData(line: SourceLine, eventTime: string): string {
  if (!line.row) return line.text;
  const row = line.row;
  const existing = asText(row.pk);
  const fields = { store_cd: asText(row.store_cd), pos_num: asText(row.pos_num), receipt_num: asText(row.receipt_num), product_cd: asText(row.product_cd), tr_datetime: asText(row.tr_datetime) };
  const complete = Object.values(fields).every((value) => value !== undefined);
  const pk = existing !== undefined && existing !== '' ? existing : complete ? primaryKeyOf(fields as Record<keyof typeof fields, string>) : undefined;
  return JSON.stringify({ ...row, event_time: eventTime, ...(pk !== undefined ? { pk } : {}) });
}

/**
 * Sends source lines to a stream: stamps and keys each record ({@link recordData}), paces
 * them (rate limit, replay speed), hands batches to the sink with a bounded number in flight,
 * and counts what happened. Records the sink still reports failed are listed by line, never
 * dropped silently. A record the sink refuses outright (over 1 MiB) stops the run with a
 * {@link PoisonRecordError} naming its line. No AWS here: the sink is a port.
 * @param source - parsed lines (see `parseCsvLines`, `parseJsonLines`, `transactionLines`)
 * @param sink - where records go (a `KinesisRecordSink`, optionally behind an `AggregatingRecordSink`)
 * @param options - partition keys, pacing, batching
 */
export async function produceRecords(source: AsyncIterable<SourceLine>, sink: RecordSink, options: ProduceOptions): Promise<ProduceSummary> {
  const clock = options.clock ?? realClock;
  const now = options.now ?? preciseNow;
  const batchRecords = Math.min(options.batchRecords ?? KINESIS_LIMITS.putRecordsMaxRecords, 100_000);
  const maxInFlight = Math.max(1, options.inFlight ?? 1);
  const lingerMs = options.lingerMs ?? 100;
  const pacer = options.pacing && (options.pacing.rate !== undefined || options.pacing.speed !== undefined) ? createPacer(options.pacing, clock) : undefined;
  const started = clock.now();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let buffer: { record: OutputRecord; line: number }[] = [];
  let bufferedAt = 0;
  let rowsRead = 0;
  let recordsSent = 0;
  let unparseable = 0;
  let calls = 0;
  let retries = 0;
  const failedLines: number[] = [];

  const settle = (batch: typeof buffer, outcome: PutOutcome): void => {
    calls += outcome.calls;
    retries += outcome.retries ?? 0;
    for (const index of outcome.failed) failedLines.push(batch[index]?.line ?? -1);
    recordsSent += batch.length - outcome.failed.length;
    options.onProgress?.(batch.length - outcome.failed.length);
  };
  const refuse = (batch: typeof buffer, error: unknown): never => {
    if (error instanceof PoisonRecordError && error.position.index !== undefined) {
      const line = batch[error.position.index]?.line;
      throw new PoisonRecordError(error.reason, `line ${line}: ${error.message.replace(/^record \d+/, 'the record')}; it was not sent and the producer stopped`, { index: line }, { cause: error });
    }
    throw error;
  };
  const dispatch = (): void => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    const task = sink
      .put(batch.map(({ record }) => record))
      .then(
        (outcome) => settle(batch, outcome),
        (error: unknown) => refuse(batch, error),
      )
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  const throwIfFailed = (): void => {
    if (failure !== undefined) throw failure;
  };
  const flush = async (): Promise<void> => {
    dispatch();
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    throwIfFailed();
  };

  try {
    for await (const line of source) {
      if (options.limit !== undefined && rowsRead >= options.limit) break;
      if (pacer) {
        const wait = pacer.delay(rowsRead, line.row ? eventTimeMs(line.row.tr_datetime) : undefined);
        if (buffer.length > 0 && (wait >= lingerMs || clock.now() - bufferedAt + wait >= lingerMs)) await flush();
        if (wait > 0) await clock.sleep(wait);
      }
      if (!line.row) unparseable++;
      if (buffer.length === 0) bufferedAt = clock.now();
      const data = recordData(line, formatEventTime(now()));
      buffer.push({ record: { data, partitionKey: options.partitionKey(line.row) }, line: line.line });
      rowsRead++;
      if (buffer.length >= batchRecords) await flush();
    }
    dispatch();
  } finally {
    // Never leave a put running: wait for every call in flight, even when stopping on an error.
    await Promise.all(inFlight);
  }
  throwIfFailed();
  const seconds = (clock.now() - started) / 1000;
  return { rowsRead, recordsSent, unparseable, failedLines: failedLines.sort((a, b) => a - b), calls, retries, seconds, rowsPerSecond: seconds > 0 ? rowsRead / seconds : 0 };
}
