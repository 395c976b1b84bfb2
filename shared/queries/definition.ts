/**
 * The shape of a windowed query: a declarative, typed stand-in for one Flink SQL statement over
 * the clean stream. Each part maps one-to-one onto a Flink SQL concept (watermark, window TVF,
 * GROUP BY / ROLLUP, aggregate functions, WHERE, HAVING, Window Top-N), so a definition can be
 * rendered back to the SQL it stands for (see `toFlinkSql`) and checked against it.
 *
 * Two shapes exist: {@link QueryInput} is what an author writes (durations as `'1 h'`, optional
 * parts left out); {@link QueryDefinition} is what `defineQuery` returns (validated, durations in
 * milliseconds, defaults filled in).
 */
import { PRODUCT_COLUMNS, RAW_COLUMNS, type EnrichedTransaction } from '../types.js';

/** The columns a query may read: the 19 columns of `transaction_order` and the primary key. */
export const QUERY_COLUMNS = [...RAW_COLUMNS, ...PRODUCT_COLUMNS, 'pk'] as const satisfies readonly (keyof EnrichedTransaction)[];

/** A column of the clean stream a query may name. */
export type Column = (typeof QUERY_COLUMNS)[number];

/** The value type of each column, for checking aggregates and predicate literals. */
export const COLUMN_TYPES = {
  tr_date: 'string',
  tr_time: 'string',
  store_cd: 'string',
  store_name: 'string',
  pos_num: 'string',
  receipt_num: 'string',
  product_cd: 'string',
  qty: 'number',
  mount: 'number',
  tr_datetime: 'timestamp',
  division_cd: 'string',
  division_name: 'string',
  maincategory_cd: 'string',
  maincategory_name: 'string',
  subcategory_cd: 'string',
  subcategory_name: 'string',
  product_name: 'string',
  is_pb: 'string',
  pk: 'string',
} as const satisfies Record<Column, 'string' | 'number' | 'timestamp'>;

/** Duration units an author may write, with their length and the Flink `INTERVAL` unit. */
export const DURATION_UNITS = {
  s: { ms: 1_000, flink: 'SECOND' },
  min: { ms: 60_000, flink: 'MINUTE' },
  h: { ms: 3_600_000, flink: 'HOUR' },
  d: { ms: 86_400_000, flink: 'DAY' },
} as const;

/** A duration unit: `s`, `min`, `h` or `d`. */
export type DurationUnit = keyof typeof DURATION_UNITS;

/** A parsed duration: what the author wrote (for rendering `INTERVAL 'n' UNIT`) and its length. */
export interface Duration {
  readonly amount: number;
  readonly unit: DurationUnit;
  readonly ms: number;
}

/** Aggregate functions, keyed by name, with the Flink SQL function each one renders as. */
export const AGGREGATE_FUNCTIONS = {
  count: 'COUNT',
  sum: 'SUM',
  min: 'MIN',
  max: 'MAX',
  avg: 'AVG',
  count_distinct: 'COUNT',
} as const;

/** An aggregate function name. */
export type AggregateFunction = keyof typeof AGGREGATE_FUNCTIONS;

/**
 * One aggregate output column. `count` without `field` is `COUNT(*)`; `count_distinct` takes
 * `fields` (one or more columns, counted as one composite value, e.g. a receipt is store + POS +
 * date + receipt number); the others take one `field`.
 */
export interface Aggregate {
  readonly name: string;
  readonly fn: AggregateFunction;
  readonly field?: Column;
  readonly fields?: readonly Column[];
  /**
   * `count_distinct` only: how many DynamoDB items the distinct values of one group and one
   * partition (one `tr_date` when `fields` include it) are spread over. Each holds about 30,000
   * receipt-sized values under the 400 KB item limit; every batch writes each bucket it touches.
   * @default 1
   */
  readonly buckets?: number;
}

/** Distinct-value buckets per group and partition when a query does not say. */
export const DEFAULT_DISTINCT_BUCKETS = 1;

/** The most distinct-value buckets a `count_distinct` may ask for. */
export const MAX_DISTINCT_BUCKETS = 64;

/** Comparison operators of a predicate, as written in Flink SQL. */
export const COMPARISON_OPS = ['=', '<>', '<', '<=', '>', '>='] as const;

/** A comparison operator. */
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** A literal in a predicate. */
export type Literal = string | number;

/**
 * A small declarative predicate: `field IN (…)`, `field NOT IN (…)`, `field op value`, and AND /
 * OR of predicates. In a row filter `field` names a column; in `having` it names an output
 * (an aggregate or a group key).
 */
export type Predicate<F extends string = string> =
  | { readonly field: F; readonly in: readonly Literal[] }
  | { readonly field: F; readonly notIn: readonly Literal[] }
  | { readonly field: F; readonly op: ComparisonOp; readonly value: Literal }
  | { readonly all: readonly Predicate<F>[] }
  | { readonly any: readonly Predicate<F>[] };

/** The window of a query: a Flink window table-valued function, or none for a continuous result. */
export type Window =
  | { readonly kind: 'none' }
  | { readonly kind: 'tumble'; readonly size: Duration }
  | { readonly kind: 'hop'; readonly slide: Duration; readonly size: Duration }
  | { readonly kind: 'cumulate'; readonly step: Duration; readonly size: Duration };

/** The window kinds. */
export type WindowKind = Window['kind'];

/** A window as an author writes it: the same union with durations as strings (`'1 h'`). */
export type WindowInput =
  | { readonly kind: 'none' }
  | { readonly kind: 'tumble'; readonly size: string }
  | { readonly kind: 'hop'; readonly slide: string; readonly size: string }
  | { readonly kind: 'cumulate'; readonly step: string; readonly size: string };

/** Window Top-N: `ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY orderBy DESC) <= n`. */
export interface TopN {
  readonly n: number;
  /** The aggregate to rank by, descending. */
  readonly orderBy: string;
  /** The output column holding the rank (1-based). */
  readonly rowNumberName: string;
}

/** The event-time column and its watermark: `WATERMARK FOR tr_datetime AS tr_datetime - INTERVAL …`. */
export interface Watermark {
  readonly timeColumn: 'tr_datetime';
  readonly outOfOrdernessMs: number;
}

/** The default bounded out-of-orderness of the watermark, as written. */
export const DEFAULT_OUT_OF_ORDERNESS = '5 s';

/** A query as its author writes it; `defineQuery` validates it into a {@link QueryDefinition}. */
export interface QueryInput {
  /** Query name, `snake_case`; part of the interface (table and file name). */
  readonly name: string;
  readonly description?: string;
  /** @default `{ timeColumn: 'tr_datetime', outOfOrderness: '5 s' }` */
  readonly watermark?: { readonly timeColumn?: 'tr_datetime'; readonly outOfOrderness?: string };
  /** @default `{ kind: 'none' }` */
  readonly window?: WindowInput;
  /**
   * How long after the watermark passes a window's end its records are still accepted: they
   * update the window and re-emit it (Flink's `table.exec.emit.allow-lateness`). Windowed
   * queries only. @default 0
   */
  readonly allowedLateness?: string;
  /** @default `[]` */
  readonly groupBy?: readonly Column[];
  /** `GROUP BY ROLLUP (groupBy)`: adds subtotal rows where the rolled-up keys are null. @default false */
  readonly rollup?: boolean;
  readonly aggregates: readonly Aggregate[];
  /** The row filter (`WHERE`), on columns. */
  readonly filter?: Predicate<Column>;
  /** The group filter (`HAVING`), on output names. */
  readonly having?: Predicate;
  readonly topN?: TopN;
}

/** A validated query, with defaults filled in and durations parsed. */
export interface QueryDefinition {
  readonly name: string;
  readonly description?: string;
  readonly watermark: Watermark;
  readonly window: Window;
  /** Allowed lateness in milliseconds; 0 drops every record behind the watermark. */
  readonly allowedLatenessMs: number;
  readonly groupBy: readonly Column[];
  readonly rollup: boolean;
  readonly aggregates: readonly Aggregate[];
  readonly filter?: Predicate<Column>;
  readonly having?: Predicate;
  readonly topN?: TopN;
}
