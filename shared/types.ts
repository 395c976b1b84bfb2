/**
 * The record shapes that travel between stages. Field names follow the original hands-on's
 * Athena table `transaction_order`, so SQL written for it runs unchanged.
 */

/** The nine transaction fields of a line item, shared by the raw and the enriched shapes. */
export interface TransactionFields {
  readonly tr_date: string;
  readonly tr_time: string;
  readonly store_cd: string;
  readonly store_name: string;
  readonly pos_num: string;
  readonly receipt_num: string;
  readonly product_cd: string;
  readonly qty: number;
  readonly mount: number;
}

/** A raw transaction line item, as the producer puts it on the raw stream. */
export interface RawTransaction extends TransactionFields {
  /** Event time, `YYYY-MM-DD HH:MM:SS` (or with a `T`), local time without zone. */
  readonly tr_datetime: string;
  /** When the producer sent it (ISO-8601, UTC); set by the producer. */
  readonly event_time?: string;
  /** Stable primary key; set by the producer, derived by {@link primaryKeyOf} when absent. */
  readonly pk?: string;
}

/** One row of the product dimension (`products.csv`, DynamoDB products table). */
export interface Product {
  readonly product_cd: string;
  readonly division_cd: string;
  readonly division_name: string;
  readonly maincategory_cd: string;
  readonly maincategory_name: string;
  readonly subcategory_cd: string;
  readonly subcategory_name: string;
  readonly product_name: string;
  readonly is_pb: string;
}

/** Where a record came from: enough to find it again in the source stream. */
export interface SourcePosition {
  readonly stream: string;
  readonly shard: string;
  readonly seq: string;
  /** Sub-record index inside a KPL-aggregated record. */
  readonly sub?: number;
}

/** The enriched record: the 19 columns of `transaction_order`, its primary key and source. */
export interface EnrichedTransaction extends TransactionFields, Product {
  /** Event time, ISO-8601 local date-time `YYYY-MM-DDTHH:MM:SS`. */
  readonly tr_datetime: string;
  readonly event_time: string;
  readonly pk: string;
  readonly src: SourcePosition;
}

/** The nine product columns copied onto every enriched record, in table order. */
export const PRODUCT_COLUMNS = [
  'division_cd',
  'division_name',
  'maincategory_cd',
  'maincategory_name',
  'subcategory_cd',
  'subcategory_name',
  'product_name',
  'is_pb',
] as const;

/** The raw transaction columns in file order (CSV header of the original table). */
export const RAW_COLUMNS = [
  'tr_date',
  'tr_time',
  'store_cd',
  'store_name',
  'pos_num',
  'receipt_num',
  'product_cd',
  'qty',
  'mount',
  'tr_datetime',
] as const;
