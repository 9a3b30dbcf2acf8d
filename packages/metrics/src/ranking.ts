/**
 * Threshold-free metrics of anomaly scores (higher = more anomalous): ROC-AUC, average precision
 * and the two curves, with tied scores handled as scikit-learn does (a tie is one threshold).
 */
import { type BinaryCurve, binaryCurve } from './curve.js';
import { checkLabelsAndScores, requireClasses } from './input.js';

/** Points of the ROC curve, from the highest threshold down. */
export interface RocCurve {
  /** False-positive rate; starts at 0 and has one more entry than `thresholds`. */
  fpr: Float64Array;
  /** True-positive rate; starts at 0 and has one more entry than `thresholds`. */
  tpr: Float64Array;
  /** Every distinct score, decreasing; `fpr[k + 1]`, `tpr[k + 1]` hold at `thresholds[k]`. */
  thresholds: Float64Array;
}

/** Points of the precision-recall curve, from the lowest threshold up. */
export interface PrecisionRecallCurve {
  /** Precision at each threshold, then a final 1; one more entry than `thresholds`. */
  precision: Float64Array;
  /** Recall at each threshold, then a final 0; one more entry than `thresholds`. */
  recall: Float64Array;
  /** Every distinct score, increasing. */
  thresholds: Float64Array;
}

/**
 * The area under the ROC curve of a checked curve. The trapezoids are summed in integer counts,
 * which is exact, so the result equals the Mann–Whitney statistic (ties count 1/2).
 */
export function aucFromCurve(curve: BinaryCurve): number {
  const { tps, fps, positives, negatives } = curve;
  let twiceArea = 0;
  let previousTp = 0;
  let previousFp = 0;
  for (let k = 0; k < tps.length; k++) {
    twiceArea += (fps[k] - previousFp) * (tps[k] + previousTp);
    previousTp = tps[k];
    previousFp = fps[k];
  }
  return twiceArea / (2 * positives * negatives);
}

/** Average precision of a checked curve: the sum of precision times each step in recall. */
export function averagePrecisionFromCurve(curve: BinaryCurve): number {
  const { tps, fps, positives } = curve;
  let sum = 0;
  let previousTp = 0;
  for (let k = 0; k < tps.length; k++) {
    const step = tps[k] - previousTp;
    if (step > 0) sum += (step * tps[k]) / (tps[k] + fps[k]);
    previousTp = tps[k];
  }
  return sum / positives;
}

/**
 * Area under the ROC curve: the probability that a random attack scores above a random normal
 * row, ties counting 1/2. Equals scikit-learn's `roc_auc_score`.
 * @param yTrue labels, 0 (normal) or 1 (attack)
 * @param scores anomaly scores, higher = more anomalous, finite
 * @throws ValidationError on bad input or when `yTrue` holds a single class
 */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const positives = checkLabelsAndScores(yTrue, scores);
  requireClasses('ROC-AUC', positives, yTrue.length, 'both');
  return aucFromCurve(binaryCurve(yTrue, scores, positives));
}

/**
 * Average precision (PR-AUC): Σ (R_k − R_{k−1}) · P_k over the thresholds from the highest down,
 * a step sum without interpolation. Equals scikit-learn's `average_precision_score`.
 * @throws ValidationError on bad input or when `yTrue` holds no positive label
 */
export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const positives = checkLabelsAndScores(yTrue, scores);
  requireClasses('average precision', positives, yTrue.length, 'positive');
  return averagePrecisionFromCurve(binaryCurve(yTrue, scores, positives));
}

/**
 * The ROC curve at every distinct score (no point is dropped and there is no +∞ threshold):
 * scikit-learn's `roc_curve(..., drop_intermediate=False)` without its first threshold.
 * @throws ValidationError on bad input or when `yTrue` holds a single class
 */
export function rocCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  const positives = checkLabelsAndScores(yTrue, scores);
  requireClasses('the ROC curve', positives, yTrue.length, 'both');
  const curve = binaryCurve(yTrue, scores, positives);
  const size = curve.thresholds.length;
  const fpr = new Float64Array(size + 1);
  const tpr = new Float64Array(size + 1);
  for (let k = 0; k < size; k++) {
    fpr[k + 1] = curve.fps[k] / curve.negatives;
    tpr[k + 1] = curve.tps[k] / curve.positives;
  }
  return { fpr, tpr, thresholds: curve.thresholds.slice() };
}

/**
 * Precision and recall at every distinct score, thresholds increasing, with the final point
 * (precision 1, recall 0) appended: scikit-learn 1.2's `precision_recall_curve`.
 * @throws ValidationError on bad input or when `yTrue` holds no positive label
 */
export function precisionRecallCurve(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
): PrecisionRecallCurve {
  const positives = checkLabelsAndScores(yTrue, scores);
  requireClasses('the precision-recall curve', positives, yTrue.length, 'positive');
  const curve = binaryCurve(yTrue, scores, positives);
  const size = curve.thresholds.length;
  const precisionOut = new Float64Array(size + 1);
  const recallOut = new Float64Array(size + 1);
  const thresholds = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const at = size - 1 - k;
    precisionOut[at] = curve.tps[k] / (curve.tps[k] + curve.fps[k]);
    recallOut[at] = curve.tps[k] / positives;
    thresholds[at] = curve.thresholds[k];
  }
  precisionOut[size] = 1;
  recallOut[size] = 0;
  return { precision: precisionOut, recall: recallOut, thresholds };
}
