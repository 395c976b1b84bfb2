import type { ResultRow } from '../aggregate/rows.js';

/**
 * A result row as it travels on the aggregates stream: the row, its query and revision, and
 * `pk`, the emission's identity (query, window, group or rank, revision), by which a consumer,
 * or a retried publisher, recognises it.
 */
export type PublishedRow = ResultRow & { readonly pk: string; readonly query: string; readonly revision: number };

/** Where fired windows and continuous updates are sent (the aggregates stream). */
export interface ResultPublisher {
  /**
   * Sends rows. With `since`, this retries an emission that may have partly landed: rows whose
   * `pk` is already on the stream (arrived at or after `since`, epoch ms) are not sent again.
   * @throws when rows could not be sent: the batch is delivered again
   */
  publish(rows: readonly PublishedRow[], options?: { readonly since?: number }): Promise<void>;
}
