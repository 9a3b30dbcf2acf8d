import { ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagePrecision,
  bestF1Threshold,
  confusionMatrix,
  evaluate,
  fBetaScore,
  precisionRecallCurve,
  rocAuc,
  rocCurve,
  thresholdForContamination,
  thresholdForFalsePositiveRate,
  thresholdForPrecision,
} from '../src/index.js';

const y = [0, 1, 0, 1];
const s = [0.1, 0.9, 0.4, 0.3];

describe('input checks', () => {
  it('rejects a length mismatch, naming both inputs', () => {
    expect(() => rocAuc(y, [0.1, 0.2])).toThrow(ValidationError);
    expect(() => rocAuc(y, [0.1, 0.2])).toThrow('yTrue has 4 values but scores has 2');
    expect(() => confusionMatrix(y, [0, 1])).toThrow('yTrue has 4 values but yPred has 2');
  });

  it('rejects empty input', () => {
    expect(() => rocAuc([], [])).toThrow('yTrue is empty');
    expect(() => accuracy([], [])).toThrow(ValidationError);
    expect(() => thresholdForContamination([], 0.1)).toThrow('scores is empty');
  });

  it('rejects labels other than 0 and 1', () => {
    expect(() => rocAuc([0, 2, 1], [1, 2, 3])).toThrow(/yTrue\[1\] is 2: labels must be 0/);
    expect(() => rocAuc([0, -1, 1], [1, 2, 3])).toThrow(ValidationError);
    expect(() => rocAuc([0, Number.NaN, 1], [1, 2, 3])).toThrow(ValidationError);
    expect(() => accuracy([0, 1], [0, 0.5])).toThrow(/yPred\[1\] is 0.5/);
  });

  it('rejects NaN and infinite scores', () => {
    expect(() => rocAuc(y, [0.1, Number.NaN, 0.2, 0.3])).toThrow(/scores\[1\] is NaN/);
    expect(() => averagePrecision(y, [0.1, 1, Number.POSITIVE_INFINITY, 0])).toThrow(
      /scores\[2\] is Infinity/,
    );
    expect(() => thresholdForContamination([1, Number.NaN], 0.1)).toThrow(ValidationError);
  });

  it('rejects what is not an array', () => {
    expect(() => rocAuc(null as unknown as number[], s)).toThrow(/yTrue must be an array/);
    expect(() => rocAuc(y, 3 as unknown as number[])).toThrow(/scores must be an array/);
  });

  it('rejects a single class where the metric is undefined', () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/ROC-AUC is undefined .* no negative/);
    expect(() => rocAuc([0, 0], [0.2, 0.3])).toThrow(/no positive/);
    expect(() => rocCurve([0, 0], [0.2, 0.3])).toThrow(ValidationError);
    expect(() => evaluate([0, 0], [0.2, 0.3], 0.25)).toThrow(ValidationError);
    expect(() => averagePrecision([0, 0], [0.2, 0.3])).toThrow(/no positive/);
    expect(() => precisionRecallCurve([0, 0], [0.2, 0.3])).toThrow(ValidationError);
    expect(() => bestF1Threshold([0, 0], [0.2, 0.3])).toThrow(ValidationError);
    expect(() => thresholdForPrecision([0, 0], [0.2, 0.3], 0.5)).toThrow(ValidationError);
    expect(() => thresholdForFalsePositiveRate([1, 1], [0.2, 0.3], 0.5)).toThrow(/no negative/);
  });

  it('is defined with a single class where the metric allows it', () => {
    expect(averagePrecision([1, 1], [0.2, 0.3])).toBe(1);
    expect(thresholdForFalsePositiveRate([0, 0, 0, 0], [1, 2, 3, 4], 0.5)).toBe(3);
  });

  it('rejects bad numeric options', () => {
    expect(() => fBetaScore(y, [0, 1, 0, 0], -1)).toThrow(/beta must be a finite number >= 0/);
    expect(() => thresholdForContamination(s, 1.5)).toThrow(/rate must be/);
    expect(() => thresholdForPrecision(y, s, Number.NaN)).toThrow(/target/);
    expect(() => evaluate(y, s, Number.NaN)).toThrow(/threshold must be a finite number/);
  });

  it('says when an alert budget cannot be met', () => {
    // The top score belongs to a normal row, so no threshold has FPR 0 or precision 1.
    const labels = [1, 0, 0, 1];
    const scores = [0.5, 0.9, 0.1, 0.2];
    expect(() => thresholdForFalsePositiveRate(labels, scores, 0)).toThrow(/raise the target/);
    expect(() => thresholdForPrecision(labels, scores, 1)).toThrow(/best is 0.6666/);
    expect(thresholdForPrecision(labels, scores, 0.5)).toBe(0.1);
    expect(thresholdForFalsePositiveRate(labels, scores, 0.5)).toBe(0.2);
  });

  it('does not modify its inputs', () => {
    const labels = Float64Array.from([1, 0, 1, 0, 0]);
    const scores = Float64Array.from([0.3, 0.1, 0.9, 0.5, 0.2]);
    const before = [Array.from(labels), Array.from(scores)];
    evaluate(labels, scores, 0.4);
    rocCurve(labels, scores);
    precisionRecallCurve(labels, scores);
    bestF1Threshold(labels, scores);
    thresholdForContamination(scores, 0.3);
    expect([Array.from(labels), Array.from(scores)]).toEqual(before);
  });
});

describe('ties', () => {
  it('treats -0 and +0 as one threshold and all-equal scores as AUC 0.5', () => {
    expect(rocCurve([1, 0], [-0, 0]).thresholds.length).toBe(1);
    expect(rocAuc([1, 0, 1, 0], [2, 2, 2, 2])).toBe(0.5);
    expect(averagePrecision([1, 0, 1, 0], [2, 2, 2, 2])).toBe(0.5);
    expect(bestF1Threshold([1, 0, 1, 0], [2, 2, 2, 2])).toEqual({
      threshold: 2,
      precision: 0.5,
      recall: 1,
      f1: 2 / 3,
    });
  });
});
