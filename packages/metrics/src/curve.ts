/**
 * The counts behind every ranking metric: for each distinct score, taken as a threshold from the
 * highest down, how many positives and negatives score at or above it (scikit-learn's
 * `_binary_clf_curve`). Tied scores form one threshold.
 *
 * Instead of sorting row indices with a comparator, the positive and the negative scores are
 * copied into two typed arrays, each sorted by the engine's native numeric sort, and merged from
 * the top. That is O(n log n) and several times faster than an index sort on large inputs.
 */

/** Cumulative counts per distinct threshold, thresholds in decreasing order. */
export interface BinaryCurve {
  /** Distinct scores, decreasing. */
  thresholds: Float64Array;
  /** Positives with score >= thresholds[k]. */
  tps: Float64Array;
  /** Negatives with score >= thresholds[k]. */
  fps: Float64Array;
  /** Number of positive labels. */
  positives: number;
  /** Number of negative labels. */
  negatives: number;
}

/** Builds the curve from checked labels and scores; `positives` is the number of 1 labels. */
export function binaryCurve(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  positives: number,
): BinaryCurve {
  const n = yTrue.length;
  const negatives = n - positives;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (yTrue[i] === 1) pos[p++] = scores[i];
    else neg[q++] = scores[i];
  }
  pos.sort();
  neg.sort();

  const thresholds = new Float64Array(n);
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let i = positives - 1;
  let j = negatives - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (i >= 0 || j >= 0) {
    // -0 and +0 sort next to each other and compare equal, so they form one threshold.
    const v = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    while (i >= 0 && pos[i] === v) {
      i--;
      tp++;
    }
    while (j >= 0 && neg[j] === v) {
      j--;
      fp++;
    }
    thresholds[k] = v;
    tps[k] = tp;
    fps[k] = fp;
    k++;
  }
  return {
    thresholds: thresholds.subarray(0, k),
    tps: tps.subarray(0, k),
    fps: fps.subarray(0, k),
    positives,
    negatives,
  };
}
