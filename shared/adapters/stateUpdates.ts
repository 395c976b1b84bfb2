import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { DYNAMODB_LIMITS } from '../constants.js';
import { StateLimitError } from '../errors.js';

/** A DynamoDB item as the document client returns it. */
export type Item = Record<string, unknown>;

/** Requests a state store made, retries included. */
export interface StateRequests {
  reads: number;
  writes: number;
}

/**
 * One UpdateItem, counted, with DynamoDB's size limits turned into a {@link StateLimitError}
 * naming `what` could not be written.
 */
export async function updateStateItem(client: DynamoDBDocumentClient, input: UpdateCommandInput, requests: StateRequests, what = 'state'): Promise<{ Attributes?: Item }> {
  const longest = Math.max(input.UpdateExpression?.length ?? 0, input.ConditionExpression?.length ?? 0);
  if (longest > DYNAMODB_LIMITS.expressionMaxChars) {
    throw new StateLimitError(`cannot write ${what}: the update needs a ${longest}-character expression, over DynamoDB's ${DYNAMODB_LIMITS.expressionMaxChars}`);
  }
  requests.writes += 1;
  try {
    return await client.send(new UpdateCommand(input));
  } catch (error) {
    throw itemSizeError(error, what) ?? error;
  }
}

/** DynamoDB's refusal of an item over 400 KB as a {@link StateLimitError} naming `what` could not be written; undefined for any other error. */
export function itemSizeError(error: unknown, what: string): StateLimitError | undefined {
  if (!(error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message))) return undefined;
  return new StateLimitError(`cannot write ${what}: the item would exceed DynamoDB's 400 KB limit`, { cause: error });
}
