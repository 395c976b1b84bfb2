import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What {@link queryRange} reads: one partition's items whose sort key is between two strings. */
export interface RangeQuery {
  readonly tableName: string;
  readonly pk: string;
  readonly from: string;
  readonly to: string;
  /** @default false */
  readonly consistentRead?: boolean;
}

/**
 * Every item of a partition with `sk BETWEEN from AND to`, following `LastEvaluatedKey` (a
 * Query answers at most 1 MB per page).
 * @param onPage - told of each request, for request counts
 */
export async function queryRange(client: DynamoDBDocumentClient, query: RangeQuery, onPage: () => void = () => undefined): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    onPage();
    const page = await client.send(
      new QueryCommand({
        TableName: query.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': query.pk, ':from': query.from, ':to': query.to },
        ConsistentRead: query.consistentRead ?? false,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return items;
}
