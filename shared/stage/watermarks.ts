/**
 * Which watermarks a stage puts on its output after a batch (see `aggregate/control.ts`): a
 * source stage (enrich) makes one from its input shard's records; a stage in between (dedupe)
 * forwards the ones it read, naming the shard they came through.
 */
import { eventTimeOf } from '../aggregate/eventTime.js';
import type { ControlRecord } from '../aggregate/control.js';
import { FINAL_EVENT_TIME } from '../ports/AggregateStateStore.js';
import type { ControlBroadcaster } from '../ports/ControlBroadcaster.js';
import type { Decoded } from './decode.js';

/** A batch as far as watermarks are concerned. */
export interface WatermarkBatch<T> {
  /** The input shard. */
  readonly shard: string;
  readonly decoded: readonly Decoded<T>[];
  readonly controls: readonly Decoded<ControlRecord>[];
}

/** How a stage sends watermarks: which, and where. */
export interface WatermarkEmission<T> {
  readonly broadcaster: ControlBroadcaster;
  readonly watermarksOf: (batch: WatermarkBatch<T>) => ControlRecord[];
}

/**
 * A source stage's watermark: the highest event time among the batch's records, from its input
 * shard. The end-of-input signal on the input (`eddy watermark --final`) becomes a watermark at
 * the end of time, so it reaches the aggregate stage behind every record, by every path.
 * @param timeOf - a record's event time text (`tr_datetime`)
 */
export function sourceWatermarks<T>(timeOf: (record: T) => string): (batch: WatermarkBatch<T>) => ControlRecord[] {
  return ({ shard, decoded, controls }) => {
    if (controls.some(({ value }) => value.eddy_control === 'final_watermark')) return [{ eddy_control: 'watermark', source: shard, max_event_time: FINAL_EVENT_TIME }];
    let highest = Number.NEGATIVE_INFINITY;
    for (const { value } of decoded) highest = Math.max(highest, eventTimeOf(timeOf(value)) ?? Number.NEGATIVE_INFINITY);
    return highest === Number.NEGATIVE_INFINITY ? [] : [{ eddy_control: 'watermark', source: shard, max_event_time: highest }];
  };
}

/** A middle stage's watermarks: those it read, each naming the shard it came through. */
export function forwardedWatermarks<T>({ shard, controls }: WatermarkBatch<T>): ControlRecord[] {
  return controls.map(({ value }) => (value.eddy_control === 'watermark' && value.via === undefined ? { ...value, via: shard } : value));
}
