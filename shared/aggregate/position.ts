import { sequenceSortKey } from '../sequenceNumbers.js';

/**
 * A record's position in its shard as a string that sorts in stream order: the sequence number
 * zero-padded, then the KPL sub-record index. Stored as checkpoints and compared in DynamoDB
 * conditions, where only string order is available.
 */
export const positionKey = (origin: { readonly seq: string; readonly sub?: number }): string => `${sequenceSortKey(origin.seq)}.${String(origin.sub ?? 0).padStart(6, '0')}`;
