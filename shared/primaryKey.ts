/**
 * The primary key of a line item: store, POS, date, receipt, product and event time. A receipt
 * number alone repeats (at most 10,000 over six months), so the date and POS are part of it.
 * A producer's resend of the same row yields the same key, which is what dedupe relies on.
 */

/** Fields the primary key is built from. */
export interface PrimaryKeyFields {
  readonly store_cd: string;
  readonly pos_num: string;
  readonly receipt_num: string;
  readonly product_cd: string;
  readonly tr_datetime: string;
}

/**
 * Builds the stable primary key `store|pos|datetime|receipt|product`; the date-time is
 * normalized so `2015-01-02 20:45:22` and `2015-01-02T20:45:22` give one key.
 * @param row - the transaction fields
 */
export function primaryKeyOf(row: PrimaryKeyFields): string {
  const datetime = row.tr_datetime.length > 10 ? `${row.tr_datetime.slice(0, 10)}T${row.tr_datetime.slice(11)}` : row.tr_datetime;
  return `${row.store_cd}|${row.pos_num}|${datetime}|${row.receipt_num}|${row.product_cd}`;
}
