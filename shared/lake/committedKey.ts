/**
 * Which objects of the data bucket are data. Writers commit by name: anything under a path
 * segment starting with `_` or `.` (`_SUCCESS`, `.in-progress/…`, `_temporary/…`) is a marker or
 * an object still being written, as Hadoop, Spark and Athena treat it, and readers skip it.
 */

/**
 * Whether an object key names committed data.
 * @param key - the S3 object key
 */
export function isCommittedKey(key: string): boolean {
  if (key === '' || key.endsWith('/')) return false;
  return key.split('/').every((segment) => !segment.startsWith('_') && !segment.startsWith('.'));
}
