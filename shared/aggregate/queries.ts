import { queries as shipped } from '../../queries/index.js';
import { compileQuery, type CompiledQuery } from './compile.js';

/** The names of the shipped queries. */
export const SHIPPED_QUERY_NAMES: readonly string[] = Object.keys(shipped);

/**
 * The shipped queries, compiled, optionally only those named.
 * @param names - query names (checked by the caller's config); every query when undefined
 */
export function compiledQueries(names?: readonly string[]): CompiledQuery[] {
  return Object.values(shipped)
    .filter((definition) => names === undefined || names.includes(definition.name))
    .map(compileQuery);
}
