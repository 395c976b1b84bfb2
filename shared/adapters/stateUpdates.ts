import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { DYNAMODB_LIMITS } from '../constants.js';
import { StateLimitError } from '../errors.js';
import type { Expression } from './dynamoExpression.js';

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
    if (error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message)) {
      throw new StateLimitError(`cannot write ${what}: the item would exceed DynamoDB's 400 KB limit`, { cause: error });
    }
    throw error;
  }
}

/** Keeps expressions well under DynamoDB's 4 KB (a guarded set adds ~60 characters) and 300 operators. */
const EXPRESSION_BUDGET = DYNAMODB_LIMITS.expressionMaxChars - 200;

/** A guarded condition costs four operators: the function, OR, the comparison, and the AND joining it. */
const OPERATORS_PER_CONDITION = 4;

/** Whether one more guarded set still fits both expressions, in characters and in operators. */
export function fits(sets: readonly string[], conditions: readonly string[], adds: readonly string[]): boolean {
  const length = (parts: readonly string[]): number => parts.reduce((sum, part) => sum + part.length + 2, 0);
  return (
    length(adds) + length(sets) + 24 < EXPRESSION_BUDGET &&
    length(conditions) + 5 * conditions.length + 48 < EXPRESSION_BUDGET &&
    (conditions.length + 1) * OPERATORS_PER_CONDITION < DYNAMODB_LIMITS.expressionMaxOperators
  );
}

/** `SET name = value` only if it raises (`<`) or lowers (`>`) what is stored. */
export function guardedSet(expression: Expression, sets: string[], conditions: string[], name: string, value: number, op: '<' | '>'): void {
  const n = expression.name(name);
  const v = expression.value(value);
  sets.push(`${n} = ${v}`);
  conditions.push(`(attribute_not_exists(${n}) OR ${n} ${op} ${v})`);
}
