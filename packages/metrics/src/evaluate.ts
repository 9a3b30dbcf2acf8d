/** Every headline metric of a scored test set in one call, sorting the scores once. */
import { checkNumber } from '@decoders/core';
import { type ConfusionMatrix, fBetaFromCounts, safeRatio } from './classification.js';
import { binaryCurve } from './curve.js';
import { checkLabelsAndScores, requireClasses } from './input.js';
import { aucFromCurve, averagePrecisionFromCurve } from './ranking.js';

/** The result of {@link evaluate}. */
export interface EvaluationResult {
  /** Fraction of rows classified correctly at `threshold`. */
  accuracy: number;
  /** tp / (tp + fp) at `threshold`; 0 when nothing is flagged. */
  precision: number;
  /** tp / (tp + fn) at `threshold`. */
  recall: number;
  /** F1 at `threshold`; 0 when precision and recall are both 0. */
  f1: number;
  /** Area under the ROC curve (threshold-free). */
  rocAuc: number;
  /** Average precision, the PR-AUC step sum (threshold-free). */
  prAuc: number;
  /** The threshold used: a row is flagged where score >= threshold. */
  threshold: number;
  /** Counts at `threshold`. */
  confusionMatrix: ConfusionMatrix;
}

/**
 * Scores a detector: the threshold metrics of flagging rows with score >= `threshold`, plus
 * ROC-AUC and PR-AUC.
 * @param yTrue labels, 0 (normal) or 1 (attack); both classes must occur
 * @param scores anomaly scores, higher = more anomalous, finite
 * @param threshold a finite number, e.g. from {@link bestF1Threshold} on validation data
 * @throws ValidationError on bad input or a single class in `yTrue`
 */
export function evaluate(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): EvaluationResult {
  const positives = checkLabelsAndScores(yTrue, scores);
  checkNumber('threshold', threshold);
  requireClasses('evaluate (ROC-AUC)', positives, yTrue.length, 'both');
  const curve = binaryCurve(yTrue, scores, positives);

  let tp = 0;
  let fp = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (scores[i] >= threshold) {
      if (yTrue[i] === 1) tp++;
      else fp++;
    }
  }
  const matrix = { tn: curve.negatives - fp, fp, fn: positives - tp, tp };
  return {
    accuracy: (tp + matrix.tn) / yTrue.length,
    precision: safeRatio(tp, tp + fp),
    recall: tp / positives,
    f1: fBetaFromCounts(matrix, 1),
    rocAuc: aucFromCurve(curve),
    prAuc: averagePrecisionFromCurve(curve),
    threshold,
    confusionMatrix: matrix,
  };
}
