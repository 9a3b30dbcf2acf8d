import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagePrecision,
  bestF1Threshold,
  confusionMatrix,
  evaluate,
  f1Score,
  fBetaScore,
  precision,
  precisionRecallCurve,
  recall,
  rocAuc,
  rocCurve,
  thresholdForContamination,
} from '../src/index.js';

interface GoldenCase {
  y_true: number[];
  y_score: number[];
  threshold: number;
  confusion_matrix_at_threshold: [[number, number], [number, number]];
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number;
  average_precision: number;
  pr_curve: { precision: number[]; recall: number[]; thresholds: number[] };
  roc_curve: { fpr: number[]; tpr: number[]; thresholds: number[] };
  f1_optimal: { threshold: number; f1: number; precision: number; recall: number };
  fbeta_0_5: number;
  fbeta_2: number;
  threshold_for_contamination_0_1: number;
}

const golden = JSON.parse(
  readFileSync(new URL('./fixtures/metrics.json', import.meta.url), 'utf8'),
) as {
  cases: GoldenCase[];
  tie_case: {
    y_true: number[];
    y_score: number[];
    f1_by_threshold: Record<string, number>;
    f1_optimal: { threshold: number; f1: number };
  };
  zero_division_case: { y_true: number[]; y_pred: number[]; precision: number; f1: number };
};

const TOLERANCE = 1e-12;

function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOLERANCE);
}

function expectAllClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i], expected[i]);
}

describe.each(golden.cases.map((c, i) => [i, c] as const))('scikit-learn case %i', (_, c) => {
  const predicted = c.y_score.map((s) => (s >= c.threshold ? 1 : 0));

  it('matches the threshold metrics', () => {
    const [[tn, fp], [fn, tp]] = c.confusion_matrix_at_threshold;
    expect(confusionMatrix(c.y_true, predicted)).toEqual({ tn, fp, fn, tp });
    expectClose(accuracy(c.y_true, predicted), c.accuracy);
    expectClose(precision(c.y_true, predicted), c.precision);
    expectClose(recall(c.y_true, predicted), c.recall);
    expectClose(f1Score(c.y_true, predicted), c.f1);
    expectClose(fBetaScore(c.y_true, predicted, 0.5), c.fbeta_0_5);
    expectClose(fBetaScore(c.y_true, predicted, 2), c.fbeta_2);
  });

  it('matches ROC-AUC and average precision', () => {
    expectClose(rocAuc(c.y_true, c.y_score), c.roc_auc);
    expectClose(averagePrecision(c.y_true, c.y_score), c.average_precision);
  });

  it('matches both curves point by point', () => {
    const roc = rocCurve(c.y_true, c.y_score);
    expectAllClose(roc.fpr, c.roc_curve.fpr);
    expectAllClose(roc.tpr, c.roc_curve.tpr);
    expectAllClose(roc.thresholds, c.roc_curve.thresholds);
    const pr = precisionRecallCurve(c.y_true, c.y_score);
    expectAllClose(pr.precision, c.pr_curve.precision);
    expectAllClose(pr.recall, c.pr_curve.recall);
    expectAllClose(pr.thresholds, c.pr_curve.thresholds);
  });

  it('matches the F1-optimal threshold and the contamination threshold', () => {
    const best = bestF1Threshold(c.y_true, c.y_score);
    expectClose(best.threshold, c.f1_optimal.threshold);
    expectClose(best.f1, c.f1_optimal.f1);
    expectClose(best.precision, c.f1_optimal.precision);
    expectClose(best.recall, c.f1_optimal.recall);
    expectClose(thresholdForContamination(c.y_score, 0.1), c.threshold_for_contamination_0_1);
  });

  it('evaluates everything at once, consistently with the single metrics', () => {
    const result = evaluate(c.y_true, c.y_score, c.threshold);
    const [[tn, fp], [fn, tp]] = c.confusion_matrix_at_threshold;
    expect(result.confusionMatrix).toEqual({ tn, fp, fn, tp });
    expectClose(result.accuracy, c.accuracy);
    expectClose(result.precision, c.precision);
    expectClose(result.recall, c.recall);
    expectClose(result.f1, c.f1);
    expectClose(result.rocAuc, c.roc_auc);
    expectClose(result.prAuc, c.average_precision);
    expect(result.threshold).toBe(c.threshold);
  });

  it('accepts typed arrays as well as plain arrays', () => {
    const labels = Uint8Array.from(c.y_true);
    const scores = Float32Array.from(c.y_score);
    expect(rocAuc(labels, scores)).toBe(rocAuc(c.y_true, Array.from(scores)));
  });
});

describe('scikit-learn tie case', () => {
  const { y_true: y, y_score: scores, f1_by_threshold: byThreshold } = golden.tie_case;

  it('gives the F1 of every threshold', () => {
    for (const [threshold, f1] of Object.entries(byThreshold)) {
      const predicted = scores.map((s) => (s >= Number(threshold) ? 1 : 0));
      expectClose(f1Score(y, predicted), f1);
    }
  });

  it('breaks an F1 tie towards the highest threshold', () => {
    const best = bestF1Threshold(y, scores);
    expect(best.threshold).toBe(golden.tie_case.f1_optimal.threshold);
    expectClose(best.f1, golden.tie_case.f1_optimal.f1);
  });
});

describe('scikit-learn zero-division case', () => {
  it('returns 0 where nothing is predicted positive', () => {
    const { y_true: y, y_pred: predicted } = golden.zero_division_case;
    expect(precision(y, predicted)).toBe(golden.zero_division_case.precision);
    expect(f1Score(y, predicted)).toBe(golden.zero_division_case.f1);
    expect(fBetaScore(y, predicted, 2)).toBe(0);
    expect(recall([0, 0], [1, 0])).toBe(0);
  });
});
