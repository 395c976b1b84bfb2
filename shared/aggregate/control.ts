import { validateEnrichedTransaction } from '../schema/enrichedTransaction.js';
import type { Validation } from '../schema/rawTransaction.js';
import type { EnrichedTransaction } from '../types.js';
import { eventTimeOf } from './eventTime.js';

/**
 * The end-of-input signal: put on every open shard of the clean stream (`eddy watermark
 * --final`), it raises the shard's event time beyond any real time, so once every shard has
 * sent it the watermark passes every window and all of them fire: Flink's final
 * `Long.MAX_VALUE` watermark at the end of a bounded source.
 */
export interface ControlRecord {
  readonly eddy_control: 'final_watermark';
}

/** What the aggregate stage reads from the clean stream. */
export type CleanInput = EnrichedTransaction | ControlRecord;

/** The control record as put on the stream. */
export const FINAL_WATERMARK: ControlRecord = { eddy_control: 'final_watermark' };

/** True for the end-of-input signal. */
export const isControl = (input: CleanInput): input is ControlRecord => (input as Partial<ControlRecord>).eddy_control !== undefined;

/** Parses a clean-stream record: a control record, or an enriched transaction. */
export function parseCleanInput(json: unknown): Validation<CleanInput> {
  if (typeof json === 'object' && json !== null && 'eddy_control' in json) {
    return (json as { eddy_control: unknown }).eddy_control === 'final_watermark'
      ? { ok: true, value: FINAL_WATERMARK }
      : { ok: false, message: `unknown control record '${String((json as { eddy_control: unknown }).eddy_control)}'` };
  }
  const checked = validateEnrichedTransaction(json);
  if (checked.ok && eventTimeOf(checked.value.tr_datetime) === undefined) {
    return { ok: false, message: `tr_datetime must be a local date-time YYYY-MM-DDTHH:MM:SS, got '${checked.value.tr_datetime}'` };
  }
  return checked;
}
