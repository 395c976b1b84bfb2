/**
 * A query definition compiled for the aggregate operator: its grouping sets (ROLLUP), row
 * filter, and the state parts each aggregate keeps per slice and group.
 */
import { ConfigError } from '../errors.js';
import { COLUMN_TYPES, type Aggregate, type Column, type QueryDefinition } from '../queries/definition.js';
import type { EnrichedTransaction } from '../types.js';
import { eventTimeOf } from './eventTime.js';
import { evaluate } from './predicate.js';
import { packDistinctValue } from './distinctValue.js';

/**
 * How a state part combines: `add` sums (COUNT, SUM, the halves of AVG), `max` and `min` keep
 * the extreme (MAX, MIN, and the sizes of distinct-value buckets, which only grow).
 */
export type PartKind = 'add' | 'max' | 'min';

/** The state parts of each aggregate function, by part name. */
export const AGGREGATE_PARTS = {
  count: { n: 'add' },
  sum: { s: 'add' },
  avg: { s: 'add', n: 'add' },
  min: { lo: 'min' },
  max: { hi: 'max' },
  count_distinct: { z: 'max' },
} as const satisfies Record<Aggregate['fn'], Record<string, PartKind>>;

/** One state part of one aggregate: its attribute prefix (`0s`), how it combines, and what it reads. */
export interface CompiledPart {
  readonly prefix: string;
  readonly kind: PartKind;
  /** Counts 1 per record, or reads the aggregate's field. */
  readonly reads: 'one' | Aggregate;
}

/** Group keys cached per query before the cache is cleared (high-cardinality keys). */
const GROUP_CACHE_LIMIT = 10_000;

/** What the operator needs of a query. */
export interface CompiledQuery {
  readonly name: string;
  readonly definition: QueryDefinition;
  readonly windowed: boolean;
  /** The row filter (`WHERE`); true when the query has none. */
  readonly accepts: (record: EnrichedTransaction) => boolean;
  /** The record's group, one per grouping set, as JSON arrays of key values (`null` where rolled up). */
  readonly groupsOf: (record: EnrichedTransaction) => string[];
  /** The numeric value an aggregate reads from a record (a timestamp as event-time ms). */
  readonly valueOf: (aggregate: Aggregate, record: EnrichedTransaction) => number;
  /**
   * Every state part of every aggregate but COUNT(DISTINCT), in a fixed order: an accumulator
   * keeps a group's parts in an array in this order.
   */
  readonly parts: readonly CompiledPart[];
  /**
   * The value a `count_distinct` counts, split into a partition and the rest: when its fields
   * include `tr_date`, the date is the partition (values of different dates always differ), so a
   * day's values sit apart and no item grows without bound. The rest is packed small (see
   * `distinctValue.ts`), so a bucket holds many.
   */
  readonly distinctOf: (aggregate: Aggregate, record: EnrichedTransaction) => { readonly partition: string; readonly value: string };
}

/**
 * Compiles a validated definition.
 * @throws ConfigError for what the operator cannot compute exactly: MIN/MAX of a text column,
 *   and COUNT(DISTINCT) over a HOP or CUMULATE window (whose windows span several slices).
 */
export function compileQuery(definition: QueryDefinition): CompiledQuery {
  const { groupBy, rollup, window } = definition;
  definition.aggregates.forEach((aggregate, i) => {
    if ((aggregate.fn === 'min' || aggregate.fn === 'max') && COLUMN_TYPES[aggregate.field as Column] === 'string') {
      throw new ConfigError(`queries/${definition.name}: aggregates[${i}].field`, `${aggregate.fn} needs a numeric or time column, got '${aggregate.field}'`);
    }
    if (aggregate.fn === 'count_distinct' && (window.kind === 'hop' || window.kind === 'cumulate')) {
      throw new ConfigError(`queries/${definition.name}: aggregates[${i}].fn`, `count_distinct is computed per slice and cannot span the slices of a ${window.kind.toUpperCase()} window; use TUMBLE or no window`);
    }
  });
  // ROLLUP (a, b) is the grouping sets (a, b), (a), (): keep the first k keys, null the rest.
  const keep = rollup ? groupBy.map((_, i) => groupBy.length - i).concat(0) : [groupBy.length];
  const filter = definition.filter;
  const parts = definition.aggregates.flatMap((aggregate, i) =>
    aggregate.fn === 'count_distinct'
      ? []
      : (Object.entries(AGGREGATE_PARTS[aggregate.fn]) as [string, PartKind][]).map(([part, kind]): CompiledPart => ({ prefix: `${i}${part}`, kind, reads: aggregate.fn === 'count' || part === 'n' ? 'one' : aggregate })),
  );
  // A record's groups, one per grouping set, memoized by its key values: JSON per record is the
  // operator's largest cost otherwise.
  const cache = new Map<string, string[]>();
  const groupsOf = (record: EnrichedTransaction): string[] => {
    const values = groupBy.map((column) => String(record[column]));
    const key = values.join('\u0000');
    let groups = cache.get(key);
    if (groups === undefined) {
      if (cache.size >= GROUP_CACHE_LIMIT) cache.clear();
      groups = keep.map((k) => JSON.stringify(values.map((value, i) => (i < k ? value : null))));
      cache.set(key, groups);
    }
    return groups;
  };
  return {
    parts,
    name: definition.name,
    definition,
    windowed: window.kind !== 'none',
    accepts: filter === undefined ? () => true : (record) => evaluate(filter, (field) => record[field]),
    groupsOf,
    valueOf: (aggregate, record) => {
      const field = aggregate.field as Column;
      return COLUMN_TYPES[field] === 'timestamp' ? (eventTimeOf(record[field] as string) as number) : Number(record[field]);
    },
    distinctOf: (aggregate, record) => {
      const fields = aggregate.fields ?? [];
      const partitioned = fields.includes('tr_date');
      return {
        partition: partitioned ? record.tr_date : '',
        value: packDistinctValue(fields.filter((field) => !partitioned || field !== 'tr_date').map((field) => String(record[field]))),
      };
    },
  };
}
