import { validateEnrichedTransaction } from '../schema/enrichedTransaction.js';
import type { Validation } from '../schema/rawTransaction.js';
import type { EnrichedTransaction } from '../types.js';
import { eventTimeOf } from './eventTime.js';

/**
 * Control records travel in the streams beside the data, as Flink's watermarks travel between
 * operators. Kinesis repartitions at every stage (a clean shard holds records of every raw
 * shard, each path lagging by its own amount), so a shard's own event times say nothing about
 * what is still on its way; these records do.
 */

/**
 * A watermark: the highest event time a source shard (of the raw stream) had delivered when
 * this was sent. Its later records are at most the out-of-orderness older. Enrich puts one on
 * every shard of its output after each batch whose outputs all landed; dedupe forwards each
 * one to every shard of its output, naming the shard it came through (`via`).
 */
export interface WatermarkRecord {
  readonly eddy_control: 'watermark';
  /** The raw-stream shard whose records it bounds. */
  readonly source: string;
  /** The enriched-stream shard it came through (set by dedupe). */
  readonly via?: string;
  /** Event time, ms on the zone-less axis of `eventTime.ts`. */
  readonly max_event_time: number;
}

/**
 * The end-of-input signal: put on every open shard of the clean stream (`eddy watermark
 * --final`), it raises the shard's clock beyond any real time, so once every shard has sent it
 * the watermark passes every window and all of them fire: Flink's final `Long.MAX_VALUE`
 * watermark at the end of a bounded source.
 */
export interface FinalWatermarkRecord {
  readonly eddy_control: 'final_watermark';
}

/** Any control record. */
export type ControlRecord = WatermarkRecord | FinalWatermarkRecord;

/** What the aggregate stage reads from the clean stream. */
export type CleanInput = EnrichedTransaction | ControlRecord;

/** The end-of-input signal as put on the stream. */
export const FINAL_WATERMARK: FinalWatermarkRecord = { eddy_control: 'final_watermark' };

/** True for a control record. */
export const isControl = (input: object): input is ControlRecord => (input as Partial<ControlRecord>).eddy_control !== undefined;

/**
 * Reads a control record from parsed JSON: the record, an error message, or undefined when the
 * JSON is not a control record at all.
 */
export function parseControl(json: unknown): Validation<ControlRecord> | undefined {
  if (typeof json !== 'object' || json === null || !('eddy_control' in json)) return undefined;
  const record = json as Record<string, unknown>;
  if (record.eddy_control === 'final_watermark') return { ok: true, value: FINAL_WATERMARK };
  if (record.eddy_control !== 'watermark') return { ok: false, message: `unknown control record '${String(record.eddy_control)}'` };
  if (typeof record.source !== 'string' || typeof record.max_event_time !== 'number' || !Number.isFinite(record.max_event_time) || (record.via !== undefined && typeof record.via !== 'string')) {
    return { ok: false, message: 'a watermark needs source (string), max_event_time (number) and an optional via (string)' };
  }
  return {
    ok: true,
    value: { eddy_control: 'watermark', source: record.source, ...(typeof record.via === 'string' ? { via: record.via } : {}), max_event_time: record.max_event_time },
  };
}

/** Parses a clean-stream record: a control record, or an enriched transaction with a valid event time. */
export function parseCleanInput(json: unknown): Validation<CleanInput> {
  const control = parseControl(json);
  if (control !== undefined) return control;
  const checked = validateEnrichedTransaction(json);
  if (checked.ok && eventTimeOf(checked.value.tr_datetime) === undefined) {
    return { ok: false, message: `tr_datetime must be a local date-time YYYY-MM-DDTHH:MM:SS, got '${checked.value.tr_datetime}'` };
  }
  return checked;
}
