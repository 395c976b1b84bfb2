import type { ControlRecord } from '../aggregate/control.js';

/**
 * Puts control records (watermarks) on every open shard of a stream, after the records they
 * follow: a reader of any shard then knows how far each upstream path has come. Putting one
 * twice is harmless (a watermark only raises a maximum).
 */
export interface ControlBroadcaster {
  broadcast(records: readonly ControlRecord[]): Promise<void>;
}
