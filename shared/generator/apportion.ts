/**
 * Splits an exact integer total across cells in proportion to their weights by systematic
 * sampling: one random offset, then each cell gets the floor or the ceiling of its expected
 * share, and the counts always add up to `total` exactly. This is what lets the generator
 * honour `--rows` to the line item while following the hourly profile.
 * @param total - a non-negative integer
 * @param weights - non-negative weights, at least one positive when `total > 0`
 * @param uniform - a uniform draw in [0, 1) (the offset)
 * @returns the count of each cell
 */
export function apportion(total: number, weights: ArrayLike<number>, uniform: number): Uint32Array {
  const counts = new Uint32Array(weights.length);
  if (total === 0 || weights.length === 0) return counts;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i] as number;
  if (!(sum > 0)) throw new RangeError('apportion: every weight is zero');
  let running = 0;
  let previous = Math.floor(uniform);
  const last = weights.length - 1;
  for (let i = 0; i <= last; i++) {
    running += weights[i] as number;
    // The last cumulative share is exactly 1, so the counts telescope to `total`.
    const share = i === last ? 1 : Math.min(1, running / sum);
    const next = Math.floor(total * share + uniform);
    counts[i] = next - previous;
    previous = next;
  }
  return counts;
}
