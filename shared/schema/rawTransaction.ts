import * as v from 'valibot';
import type { RawTransaction } from '../types.js';

/**
 * The raw transaction schema: what the producer puts on the raw stream. Reasons name the field
 * and the rule, so an error document says exactly what was wrong.
 */

const digits = (field: string) => v.pipe(v.string(`${field} must be a string`), v.regex(/^\d{1,10}$/, `${field} must be 1–10 digits`));
const nonEmpty = (field: string) => v.pipe(v.string(`${field} must be a string`), v.trim(), v.minLength(1, `${field} must not be empty`), v.maxLength(64, `${field} is longer than 64 characters`));

/** `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`. */
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when y-m-d is a real calendar date. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The valibot schema of a raw transaction line item. */
export const RawTransactionSchema = v.pipe(
  v.object(
    {
      tr_date: v.pipe(
        v.string('tr_date must be a string'),
        v.regex(DATE, 'tr_date must be YYYY-MM-DD'),
        v.check((value) => {
          const [, y, m, d] = DATE.exec(value) ?? [];
          return isCalendarDate(Number(y), Number(m), Number(d));
        }, 'tr_date is not a calendar date'),
      ),
      tr_time: v.pipe(
        v.union([v.string(), v.number()], 'tr_time must be an hour'),
        v.transform(String),
        v.regex(/^(?:[01]?\d|2[0-3])$/, 'tr_time must be an hour 0–23'),
      ),
      store_cd: digits('store_cd'),
      store_name: nonEmpty('store_name'),
      pos_num: digits('pos_num'),
      receipt_num: digits('receipt_num'),
      product_cd: nonEmpty('product_cd'),
      qty: v.pipe(v.number('qty must be a number'), v.integer('qty must be an integer'), v.minValue(-1000, 'qty is below -1000'), v.maxValue(1000, 'qty is above 1000')),
      mount: v.pipe(v.number('mount must be a number'), v.finite('mount must be finite')),
      tr_datetime: v.pipe(
        v.string('tr_datetime must be a string'),
        v.regex(DATETIME, 'tr_datetime must be YYYY-MM-DD HH:MM:SS'),
        v.check((value) => {
          const [, y, m, d, hh, mm, ss] = (DATETIME.exec(value) ?? []).map(Number);
          return isCalendarDate(y ?? 0, m ?? 0, d ?? 0) && (hh ?? 99) < 24 && (mm ?? 99) < 60 && (ss ?? 99) < 60;
        }, 'tr_datetime is not a valid date-time'),
      ),
      event_time: v.optional(v.pipe(v.string('event_time must be a string'), v.maxLength(40, 'event_time is too long'))),
      pk: v.optional(nonEmpty('pk')),
    },
    (issue) => `expected an object, got ${issue.received}`,
  ),
  v.check((row) => row.tr_datetime.slice(0, 10) === row.tr_date, 'tr_datetime’s date disagrees with tr_date'),
  v.check((row) => Number(row.tr_datetime.slice(11, 13)) === Number(row.tr_time), 'tr_datetime’s hour disagrees with tr_time'),
);

/** Result of {@link validateRawTransaction}. */
export type Validation = { readonly ok: true; readonly value: RawTransaction } | { readonly ok: false; readonly message: string };

/**
 * Validates one decoded JSON value; on failure the message lists every violated rule.
 * @param value - the parsed JSON of one record
 */
export function validateRawTransaction(value: unknown): Validation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  }
  const result = v.safeParse(RawTransactionSchema, value, { abortEarly: false });
  if (result.success) return { ok: true, value: result.output as RawTransaction };
  return { ok: false, message: result.issues.map((issue) => issue.message).join('; ') };
}
