/** Picks a fusion model's decision threshold from scores, following a {@link ThresholdStrategy}. */
import { ValidationError } from '@decoders/core';
import {
  bestF1Threshold,
  thresholdForContamination,
  thresholdForFalsePositiveRate,
  thresholdForPrecision,
} from '@decoders/metrics';
import type { ThresholdStrategy } from './types.js';

/**
 * The threshold on `scores` (prediction: positive where score >= threshold) chosen by
 * `strategy`. Label-based strategies need `labels`.
 */
export function chooseThreshold(
  strategy: ThresholdStrategy,
  scores: Float64Array,
  labels: ArrayLike<number> | undefined,
): number {
  if (strategy.strategy === 'contamination') {
    return thresholdForContamination(scores, strategy.rate);
  }
  if (labels === undefined) {
    throw new ValidationError(
      `threshold strategy '${strategy.strategy}' needs labels: pass validationLabels, ` +
        "or use { strategy: 'contamination', rate }",
    );
  }
  switch (strategy.strategy) {
    case 'precision':
      return thresholdForPrecision(labels, scores, strategy.target);
    case 'fpr':
      return thresholdForFalsePositiveRate(labels, scores, strategy.target);
    default:
      return bestF1Threshold(labels, scores).threshold;
  }
}
