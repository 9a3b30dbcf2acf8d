/** Small helpers on score vectors shared by the pipeline and the CLI. */

import type { DenseMatrix } from '@decoders/core';
import { denseMatrix } from '@decoders/core';

/** Columns `names` of `scores`, side by side, as a [rows, names.length] matrix. */
export function stackColumns(
  scores: Record<string, Float64Array>,
  names: readonly string[],
  rows: number,
): DenseMatrix<Float64Array> {
  const m = names.length;
  const out = new Float64Array(rows * m);
  names.forEach((name, j) => {
    const column = scores[name];
    for (let i = 0; i < rows; i++) out[i * m + j] = column[i];
  });
  return denseMatrix(out, rows, m);
}

/** Labels of `labels` at `indices`. */
export function pickLabels(labels: Uint8Array, indices: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = labels[indices[k]];
  return out;
}

/**
 * Up to `size` evenly spaced order statistics of `values` (sorted), a compact reference for
 * empirical-CDF ranks.
 */
export function quantileReference(values: Float64Array, size = 1001): Float64Array {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length <= size) return sorted;
  const out = new Float64Array(size);
  for (let q = 0; q < size; q++) {
    out[q] = sorted[Math.round((q * (sorted.length - 1)) / (size - 1))];
  }
  return out;
}

/** Share of `reference` (sorted) that is <= `value`: the empirical CDF, in [0, 1]. */
export function ecdfRank(reference: Float64Array, value: number): number {
  let low = 0;
  let high = reference.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (reference[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return reference.length === 0 ? 0 : low / reference.length;
}
