import { PRODUCT_COLUMNS, RAW_COLUMNS, type EnrichedTransaction } from '../types.js';
import type { Validation } from './rawTransaction.js';

const NUMBER_FIELDS = ['qty', 'mount'] as const;

/** Every string column: the raw ones but the numbers, the product's, and what enrich adds. */
const STRING_FIELDS = [...RAW_COLUMNS.filter((column) => !(NUMBER_FIELDS as readonly string[]).includes(column)), ...PRODUCT_COLUMNS, 'event_time', 'pk'] as const;

/**
 * Checks an enriched record as it comes off the enriched stream: every column present with its
 * type, a non-empty primary key, and its source position. Enrich wrote it, so this guards
 * against foreign writers and corruption rather than user input.
 */
export function validateEnrichedTransaction(value: unknown): Validation<EnrichedTransaction> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  }
  const row = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of STRING_FIELDS) if (typeof row[field] !== 'string') problems.push(row[field] === undefined ? `${field} is missing` : `${field} must be a string`);
  for (const field of NUMBER_FIELDS) if (typeof row[field] !== 'number' || !Number.isFinite(row[field])) problems.push(row[field] === undefined ? `${field} is missing` : `${field} must be a finite number`);
  if (row.pk === '') problems.push('pk must not be empty');
  const src = row.src as Record<string, unknown> | undefined;
  if (typeof src !== 'object' || src === null || typeof src.stream !== 'string' || typeof src.shard !== 'string' || typeof src.seq !== 'string') problems.push('src must hold stream, shard and seq');
  return problems.length > 0 ? { ok: false, message: problems.join('; ') } : { ok: true, value: row as unknown as EnrichedTransaction };
}
