import { FormatError, ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import {
  checkContamination,
  decisionFromScores,
  detectorFromJSON,
  IsolationForest,
  LocalOutlierFactor,
  percentile,
  predictFromScores,
  thresholdForRate,
} from '../src/index.js';
import { contractData } from './contract.js';

describe('percentile', () => {
  it("equals NumPy's default percentile, last bit included", () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5.5, 0.25];
    // np.percentile(values, [0, 5, 10, 37.5, 50, 95, 100]) from NumPy 1.24.
    const numpy = [0.25, 0.5875, 0.925, 2.375, 3.5, 7.649999999999997, 9.0];
    [0, 5, 10, 37.5, 50, 95, 100].forEach((q, i) => {
      expect(percentile(values, q)).toBe(numpy[i]);
    });
  });

  it('does not reorder its input and refuses an empty one', () => {
    const values = Float64Array.from([3, 1, 2]);
    percentile(values, 50);
    expect(Array.from(values)).toEqual([3, 1, 2]);
    expect(() => percentile([], 50)).toThrow(ValidationError);
  });
});

describe('thresholds and labels', () => {
  it("sets the threshold as the negation of scikit-learn's offset_", () => {
    // scikit-learn's scores (ours negated) and np.percentile(them, 10) from NumPy 1.24.
    const sklearn = [
      1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458,
      1.8675579901499675, -0.977277879876411, 0.9500884175255894,
    ];
    const ours = sklearn.map((v) => -v);
    expect(thresholdForRate(ours, 0.1)).toBe(0.1508168269302303);
  });

  it('predicts 1 strictly above the threshold and gives threshold - score as decision', () => {
    const scores = Float64Array.from([0.2, 0.5, 0.7]);
    expect(Array.from(predictFromScores(scores, 0.5))).toEqual([0, 0, 1]);
    expect(Array.from(decisionFromScores(scores, 0.5))).toEqual([0.3, 0, 0.5 - 0.7]);
  });

  it("accepts contamination 'auto' or a rate in (0, 0.5] only", () => {
    expect(checkContamination('auto')).toBe('auto');
    expect(checkContamination(0.5)).toBe(0.5);
    for (const bad of [0, 0.51, -1, Number.NaN, '0.1', null]) {
      expect(() => checkContamination(bad)).toThrow(/contamination must be 'auto' or a rate/);
    }
  });
});

describe('detectorFromJSON', () => {
  const X = contractData(60, 3, 2);

  it('restores each detector as its own class', () => {
    const forest = new IsolationForest({ nEstimators: 5 }).fit(X);
    const lof = new LocalOutlierFactor({ novelty: true, nNeighbors: 5 }).fit(X);
    expect(detectorFromJSON(forest.toJSON())).toBeInstanceOf(IsolationForest);
    expect(detectorFromJSON(JSON.stringify(lof))).toBeInstanceOf(LocalOutlierFactor);
  });

  it('refuses JSON that is not a saved detector', () => {
    expect(() => detectorFromJSON('not json')).toThrow(FormatError);
    expect(() => detectorFromJSON({ format: 'decoders.table', version: 1 })).toThrow(FormatError);
    expect(() => detectorFromJSON(null)).toThrow(FormatError);
  });
});
