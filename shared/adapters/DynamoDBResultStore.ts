import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ResultRow } from '../aggregate/rows.js';
import { formatLocal } from '../aggregate/eventTime.js';
import { forEachConcurrent } from '../batching/forEachConcurrent.js';
import type { ResultStore, WindowResult } from '../ports/ResultStore.js';
import { queryRange } from './queryRange.js';
import { cancelledTransaction, transactionChunks } from './transactWrites.js';

/** The sort key of a continuous query's rows. */
const CURRENT = 'current';

const CONDITION = 'attribute_not_exists(revision) OR revision < :revision';

/** The attribute holding an item's rows, as one JSON array. */
const ROWS = 'rows_json';

/** An item's rows: the JSON array, or (items written before it) the list of maps `rows`. */
const rowsOf = (item: Record<string, unknown>): ResultRow[] => (typeof item[ROWS] === 'string' ? (JSON.parse(item[ROWS]) as ResultRow[]) : ((item.rows as ResultRow[] | undefined) ?? []));

/**
 * Query results in DynamoDB: one item per fired window (`pk` the query, `sk` the window's
 * start and end as local date-times, so a range of windows is one Query), holding its rows and
 * revision, and one item (`sk` = `current`) per continuous query. Every put is conditional on a
 * lower revision, so concurrent or repeated emissions settle on the newest.
 *
 * The rows are one JSON string (`rows_json`), not a list of maps: still readable in the console,
 * a little smaller, and one attribute for DynamoDB to take in instead of one per value (DynamoDB
 * Local spent a quarter less CPU writing a replay's 30,613 windows; docs/benchmarks.md).
 */
export class DynamoDBResultStore implements ResultStore {
  /** Requests made: reads (Query) and writes (Put). */
  public readonly requests = { reads: 0, writes: 0 };

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes fired windows up to 100 at a time in one TransactWriteItems, each put conditional on
   * a lower revision as {@link put} is. A window firing for the first time, the common case,
   * costs a hundredth of a request (DynamoDB Local takes 3–5× more puts a second this way; on
   * AWS a transactional write costs 2 WRU per KB instead of 1, on results that are ~3 writes per
   * 1,000 records). When a condition fails (a window stored at this revision or a newer one: a
   * retried or raced firing), the transaction is cancelled whole and its windows are put one by
   * one, each settling on the newest.
   */
  public async putWindows(query: string, windows: readonly WindowResult[]): Promise<void> {
    const items = windows.map(({ window, rows, revision }) => ({ pk: query, sk: `${formatLocal(window.start)}/${formatLocal(window.end)}`, window_start: formatLocal(window.start), window_end: formatLocal(window.end), [ROWS]: JSON.stringify(rows), revision }));
    await forEachConcurrent(transactionChunks(items, (item) => JSON.stringify(item).length), 2, async (chunk) => {
      if (chunk.length === 1) return this.put(chunk[0] as Record<string, unknown>);
      this.requests.writes += 1;
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: chunk.map((item) => ({ Put: { TableName: this.tableName, Item: item, ConditionExpression: CONDITION, ExpressionAttributeValues: { ':revision': item.revision } } })),
          }),
        );
      } catch (error) {
        if (!cancelledTransaction(error)) throw error;
        await forEachConcurrent(chunk, 8, (item) => this.put(item));
      }
    });
  }

  public async putContinuous(query: string, rows: readonly ResultRow[], version: number): Promise<void> {
    await this.put({ pk: query, sk: CURRENT, [ROWS]: JSON.stringify(rows), revision: version });
  }

  public async read(query: string, range: { readonly from?: number; readonly to?: number } = {}): Promise<ResultRow[]> {
    const items = await queryRange(
      this.client,
      {
        tableName: this.tableName,
        pk: query,
        from: range.from === undefined ? '0' : formatLocal(range.from),
        // Windows starting before `to`; `current` sorts after every date, so it is read when no `to` is given.
        to: range.to === undefined ? '~' : `${formatLocal(range.to - 1000)}/~`,
      },
      () => (this.requests.reads += 1),
    );
    return items.flatMap(rowsOf);
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    this.requests.writes += 1;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: CONDITION,
          ExpressionAttributeValues: { ':revision': item.revision },
        }),
      );
    } catch (error) {
      // A newer (or the same) revision is stored already: this emission is superseded.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
