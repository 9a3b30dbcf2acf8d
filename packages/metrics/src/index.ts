/**
 * Metrics for anomaly detectors: labels are 0 (normal) / 1 (attack), scores are higher for more
 * anomalous rows, and a row is predicted positive where score >= threshold.
 */

export type { ConfusionMatrix } from './classification.js';
export {
  accuracy,
  confusionMatrix,
  f1Score,
  fBetaScore,
  precision,
  recall,
} from './classification.js';
export type { EvaluationResult } from './evaluate.js';
export { evaluate } from './evaluate.js';
export type { PrecisionRecallCurve, RocCurve } from './ranking.js';
export { averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from './ranking.js';
export type { ClassificationReportOptions } from './report.js';
export { classificationReport } from './report.js';
export type { F1Threshold } from './thresholds.js';
export {
  bestF1Threshold,
  thresholdForContamination,
  thresholdForFalsePositiveRate,
  thresholdForPrecision,
} from './thresholds.js';
