/**
 * Order statistics without a full sort: Hoare's quickselect (median-of-three pivot), which
 * is linear on average where sorting is n log n. Used for medians and quantiles of long columns.
 */

/**
 * Values at the given 0-based ranks of `values` (as if sorted ascending). Reorders `values`
 * in place: pass a scratch copy. `values` must not hold NaN.
 */
export function orderStatistics(values: Float64Array, ranks: readonly number[]): number[] {
  const order = ranks.map((_, k) => k).sort((a, b) => ranks[a] - ranks[b]);
  const out = new Array<number>(ranks.length);
  let low = 0;
  for (const k of order) {
    const rank = ranks[k];
    select(values, rank, low, values.length - 1);
    out[k] = values[rank];
    // Everything left of `rank` is now <= values[rank]: later, larger ranks search the right part.
    low = rank;
  }
  return out;
}

function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    const middle = (left + right) >>> 1;
    // Median of three as pivot, moved to a[middle].
    if (a[middle] < a[left]) swap(a, middle, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[middle]) swap(a, right, middle);
    const pivot = a[middle];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
