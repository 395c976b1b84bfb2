/**
 * A batch's records sorted into their partitions and encoded into one staged object: one put per
 * invocation whatever the number of partitions, each partition's bytes a segment of it.
 */
import { eventTimeOf } from '../aggregate/eventTime.js';
import { renderPrefix, type PrefixTemplate } from '../lake/prefixExpressions.js';
import type { ErrorDocument } from '../ports/ErrorSink.js';
import { errorDocument, type RecordOrigin } from '../stage/decode.js';
import type { StagedAppend } from './files.js';
import type { FileFormat } from './formats.js';

/** A data record and where it came from. */
export interface WriterRecord {
  readonly record: Record<string, unknown>;
  readonly origin: RecordOrigin;
  readonly position: string;
}

/** How records are placed. */
export interface Placement {
  readonly template: PrefixTemplate;
  /** The field read for `!{event_time:…}`. */
  readonly eventTimeField: string;
  /** Records without an event time take their arrival time (`arrival`) or are rejected (`none`). */
  readonly eventTimeFallback: 'none' | 'arrival';
  /** Stands in for `!{firehose:random-string}`: the same for every file of a shard. */
  readonly randomString: string;
}

/** What {@link stageBatch} made: the staged object's bytes, its segments, and the rejected. */
export interface StagedBatch {
  readonly body: Buffer;
  readonly appends: StagedAppend[];
  readonly rejected: ErrorDocument[];
}

/** The event time of a record's field (a local date-time string), or undefined. */
export const eventTimeOfField = (value: unknown): number | undefined => (typeof value === 'string' ? eventTimeOf(value) : undefined);

/**
 * Places each record in its partition (its rendered prefix), encodes each partition's records as
 * one segment, in the order of their first record, and lays the segments end to end.
 */
export function stageBatch(records: readonly WriterRecord[], placement: Placement, format: FileFormat, stage: string): StagedBatch {
  const groups = new Map<string, WriterRecord[]>();
  const rejected: ErrorDocument[] = [];
  for (const entry of records) {
    const eventTime = eventTimeOfField(entry.record[placement.eventTimeField]);
    if (eventTime === undefined && placement.eventTimeFallback === 'none' && usesEventTime(placement.template)) {
      rejected.push(errorDocument(stage, entry.origin, { reason: 'schema_violation', message: `${placement.eventTimeField} must be a local date-time YYYY-MM-DDTHH:MM:SS to place the record under ${placement.template.source}` }));
      continue;
    }
    const prefix = renderPrefix(placement.template, { arrivalMs: entry.origin.arrivalTimestamp, eventTimeMs: eventTime ?? entry.origin.arrivalTimestamp, record: entry.record, randomString: placement.randomString });
    const group = groups.get(prefix);
    if (group === undefined) groups.set(prefix, [entry]);
    else group.push(entry);
  }
  const chunks: Buffer[] = [];
  const appends: StagedAppend[] = [];
  let offset = 0;
  for (const [prefix, group] of groups) {
    const values = group.map((entry) => entry.record);
    const bytes = format.encode(values);
    chunks.push(bytes);
    const columns = format.columns;
    appends.push({
      prefix,
      firstPosition: (group[0] as WriterRecord).position,
      offset,
      length: bytes.length,
      records: group.length,
      ...(columns === undefined ? {} : { columns: (known) => columns(known, values) }),
    });
    offset += bytes.length;
  }
  return { body: Buffer.concat(chunks), appends, rejected };
}

const usesEventTime = (template: PrefixTemplate): boolean => template.pieces.some((piece) => piece.kind === 'time' && piece.source === 'event_time');
