import type { ResultRow } from '../../shared/aggregate/rows.js';
import { formatLocal } from '../../shared/aggregate/eventTime.js';
import type { PublishedRow, ResultPublisher } from '../../shared/ports/ResultPublisher.js';
import type { ResultStore, WindowResult } from '../../shared/ports/ResultStore.js';
import type { ErrorDocument, ErrorSink } from '../../shared/ports/ErrorSink.js';

/** Results in memory, with the DynamoDB adapter's newest-revision-wins rule. */
export class InMemoryResultStore implements ResultStore {
  public readonly windows = new Map<string, Map<string, { rows: readonly ResultRow[]; revision: number; start: number }>>();
  public readonly continuous = new Map<string, { rows: readonly ResultRow[]; version: number }>();

  public async putWindows(query: string, windows: readonly WindowResult[]): Promise<void> {
    const byWindow = this.windows.get(query) ?? new Map();
    this.windows.set(query, byWindow);
    for (const { window, rows, revision } of windows) {
      const key = `${formatLocal(window.start)}/${formatLocal(window.end)}`;
      const current = byWindow.get(key);
      if (current === undefined || current.revision < revision) byWindow.set(key, { rows, revision, start: window.start });
    }
  }

  public async putContinuous(query: string, rows: readonly ResultRow[], version: number): Promise<void> {
    const current = this.continuous.get(query);
    if (current === undefined || current.version < version) this.continuous.set(query, { rows, version });
  }

  public async read(query: string, range: { readonly from?: number; readonly to?: number } = {}): Promise<ResultRow[]> {
    const continuous = this.continuous.get(query);
    if (continuous !== undefined) return [...continuous.rows];
    return [...(this.windows.get(query)?.entries() ?? [])]
      .filter(([, { start }]) => (range.from === undefined || start >= range.from) && (range.to === undefined || start < range.to))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([, { rows }]) => rows);
  }
}

/** Published rows in memory, in order, with the `since` calls it was asked to check. */
export class InMemoryResultPublisher implements ResultPublisher {
  public readonly rows: PublishedRow[] = [];
  public readonly checks: number[] = [];

  public async publish(rows: readonly PublishedRow[], options: { readonly since?: number } = {}): Promise<void> {
    let pending = rows;
    if (options.since !== undefined) {
      this.checks.push(options.since);
      const seen = new Set(this.rows.map((row) => row.pk));
      pending = rows.filter((row) => !seen.has(row.pk));
    }
    this.rows.push(...pending);
  }
}

/** Error documents in memory, keyed by position as the S3 sink keys them. */
export class InMemoryDocumentSink implements ErrorSink {
  public readonly documents = new Map<string, ErrorDocument>();

  public async write(documents: readonly ErrorDocument[]): Promise<void> {
    for (const document of documents) this.documents.set(`${document.source.shard}/${document.source.seq}/${document.source.sub ?? ''}`, document);
  }
}
