/**
 * Choosing an alert threshold from scores: F1-optimal, by expected contamination, or by an alert
 * budget stated as a precision or a false-positive rate. A row is flagged where score >= threshold.
 */
import { checkNumber, ValidationError } from '@decoders/core';
import { type BinaryCurve, binaryCurve } from './curve.js';
import { checkLabelsAndScores, checkScores, requireClasses } from './input.js';

/** A threshold with the precision, recall and F1 of flagging every score at or above it. */
export interface F1Threshold {
  /** Flag rows whose score is >= this value. */
  threshold: number;
  /** Precision at that threshold. */
  precision: number;
  /** Recall at that threshold. */
  recall: number;
  /** F1 at that threshold. */
  f1: number;
}

/** F1 from counts, as one correctly rounded division so that equal F1 values tie exactly. */
function f1At(curve: BinaryCurve, k: number): number {
  return (2 * curve.tps[k]) / (curve.tps[k] + curve.fps[k] + curve.positives);
}

/**
 * The threshold that maximises F1 over all distinct scores, exactly. On a tie the highest
 * threshold wins, as it raises fewer alerts.
 * @throws ValidationError on bad input or when `yTrue` holds no positive label
 */
export function bestF1Threshold(yTrue: ArrayLike<number>, scores: ArrayLike<number>): F1Threshold {
  const positives = checkLabelsAndScores(yTrue, scores);
  requireClasses('the F1-optimal threshold', positives, yTrue.length, 'positive');
  const curve = binaryCurve(yTrue, scores, positives);

  // Thresholds run from the highest down, so a strict `>` keeps the highest of tied ones.
  let best = 0;
  let bestF1 = f1At(curve, 0);
  for (let k = 1; k < curve.thresholds.length; k++) {
    const f1 = f1At(curve, k);
    if (f1 > bestF1) {
      bestF1 = f1;
      best = k;
    }
  }
  const tp = curve.tps[best];
  return {
    threshold: curve.thresholds[best],
    precision: tp / (tp + curve.fps[best]),
    recall: tp / positives,
    f1: bestF1,
  };
}

/**
 * The score at percentile 100·(1 − rate), interpolated linearly as numpy's `percentile` does:
 * flagging scores >= it marks about a fraction `rate` of rows (more where scores tie).
 * @param scores anomaly scores, finite; labels are not needed
 * @param rate expected fraction of anomalies, in [0, 1]: 0 gives the maximum score, 1 the minimum
 */
export function thresholdForContamination(scores: ArrayLike<number>, rate: number): number {
  checkScores('scores', scores);
  checkNumber('rate', rate, { min: 0, max: 1 });
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;

  // numpy's virtual index for the 'linear' method, rounded as numpy rounds it.
  const q = (100 * (1 - rate)) / 100;
  const index = (n - 1) * q;
  if (index >= n - 1) return sorted[n - 1];
  if (index <= 0) return sorted[0];
  const below = Math.floor(index);
  const t = index - below;
  const a = sorted[below];
  const b = sorted[below + 1];
  const difference = b - a;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

/**
 * The lowest threshold (the most alerts) whose precision is at least `target`, among all
 * distinct scores. Precision is not monotone in the threshold; this is the threshold of highest
 * recall that meets the target.
 * @param target required precision, in [0, 1]
 * @throws ValidationError on bad input, when `yTrue` holds no positive label, or when no
 * threshold reaches `target` (the message gives the best precision available)
 */
export function thresholdForPrecision(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  target: number,
): number {
  const positives = checkLabelsAndScores(yTrue, scores);
  checkNumber('target', target, { min: 0, max: 1 });
  requireClasses('a precision threshold', positives, yTrue.length, 'positive');
  const curve = binaryCurve(yTrue, scores, positives);

  let bestPrecision = 0;
  for (let k = curve.thresholds.length - 1; k >= 0; k--) {
    const value = curve.tps[k] / (curve.tps[k] + curve.fps[k]);
    if (value >= target) return curve.thresholds[k];
    if (value > bestPrecision) bestPrecision = value;
  }
  throw new ValidationError(
    `target precision ${target} is reached at no threshold (the best is ${bestPrecision}): ` +
      'lower the target',
  );
}

/**
 * The lowest threshold (the most alerts) whose false-positive rate fp / (fp + tn) is at most
 * `target`, among all distinct scores. The rate falls as the threshold rises, so every higher
 * score also meets the budget.
 * @param target largest acceptable false-positive rate, in [0, 1]
 * @throws ValidationError on bad input, when `yTrue` holds no negative label, or when even the
 * highest score exceeds `target` (normal rows share the top score)
 */
export function thresholdForFalsePositiveRate(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  target: number,
): number {
  const positives = checkLabelsAndScores(yTrue, scores);
  checkNumber('target', target, { min: 0, max: 1 });
  requireClasses('a false-positive-rate threshold', positives, yTrue.length, 'negative');
  const curve = binaryCurve(yTrue, scores, positives);

  for (let k = curve.thresholds.length - 1; k >= 0; k--) {
    if (curve.fps[k] / curve.negatives <= target) return curve.thresholds[k];
  }
  const lowest = curve.fps[0] / curve.negatives;
  throw new ValidationError(
    `target false-positive rate ${target} is met at no threshold: ${curve.fps[0]} normal ` +
      `row(s) share the highest score, a rate of ${lowest}; raise the target`,
  );
}
