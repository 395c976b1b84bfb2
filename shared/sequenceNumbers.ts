/**
 * Kinesis sequence numbers are decimal strings of up to 56 digits: beyond a double's 2^53 and
 * beyond DynamoDB's 38-digit numbers. They are stored as strings and compared here, exactly.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Record.html
 */

const DIGITS = /^\d{1,128}$/;

/** True when the text is a sequence number (only digits). */
export const isSequenceNumber = (text: string): boolean => DIGITS.test(text);

/**
 * Orders two sequence numbers: negative when `a` comes first, 0 when equal, positive after.
 * Compares by length, then lexically, which is numeric order for digit strings without leading
 * zeros (and exact at any length, unlike `Number`).
 * @throws TypeError when either is not a digit string
 */
export function compareSequenceNumbers(a: string, b: string): number {
  if (!isSequenceNumber(a) || !isSequenceNumber(b)) throw new TypeError(`not a sequence number: '${isSequenceNumber(a) ? b : a}'`);
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A sort key for a sequence number that orders correctly as a string (DynamoDB sort keys,
 * conditions): zero-padded to 64 digits.
 */
export const sequenceSortKey = (sequenceNumber: string): string => sequenceNumber.replace(/^0+(?=\d)/, '').padStart(64, '0');
