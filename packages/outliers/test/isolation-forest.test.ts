import { FormatError, saveState, ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { averagePathLength, IsolationForest } from '../src/index.js';
import { contractData, runDetectorContract } from './contract.js';
import { fixture, rocAuc } from './helpers.js';

runDetectorContract(
  'IsolationForest',
  (options) => new IsolationForest({ nEstimators: 30, ...options }),
  { fromJSON: IsolationForest.fromJSON, randomized: true },
);

interface Golden {
  X: number[][];
  y: number[];
  roc_auc_mean: number;
  offset_contamination_0_05_mean: number;
  offset_auto: number;
  score_samples_rows_0_199: { mean: number[]; std: number[] };
  average_path_length: { n: number[]; c: number[] };
}

describe('IsolationForest against scikit-learn 1.2 (ODDS cardio)', () => {
  const golden = fixture<Golden>('isolation_forest.json');

  it('computes c(n) as scikit-learn does, to 1e-12', () => {
    const { n, c } = golden.average_path_length;
    for (let i = 0; i < n.length; i++) {
      expect(Math.abs(averagePathLength(n[i]) - c[i]), `c(${n[i]})`).toBeLessThanOrEqual(1e-12);
    }
  });

  it("matches scikit-learn's mean ROC-AUC and contamination-0.05 threshold", () => {
    // Our seeds draw different forests from scikit-learn's, so only the distributions can agree.
    // A mean over 10 forests has a standard error of about 0.003 on each side; we average 30
    // forests to keep our own share of that noise small. Seeds 0-9 alone give 0.922.
    let auc = 0;
    let threshold = 0;
    const forests = 30;
    for (let seed = 0; seed < forests; seed++) {
      const forest = new IsolationForest({ seed, contamination: 0.05 }).fit(golden.X);
      auc += rocAuc(golden.y, forest.scoreSamples(golden.X)) / forests;
      threshold += forest.threshold / forests;
    }
    expect(Math.abs(auc - golden.roc_auc_mean)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(threshold - -golden.offset_contamination_0_05_mean)).toBeLessThanOrEqual(0.01);
  });

  it("puts the 50-forest mean score of at least 95% of rows within 4 standard errors of scikit-learn's", () => {
    const rows = golden.X.slice(0, 200);
    const mean = new Float64Array(rows.length);
    for (let seed = 100; seed < 150; seed++) {
      const scores = new IsolationForest({ seed }).fit(golden.X).scoreSamples(rows);
      for (let i = 0; i < rows.length; i++) mean[i] += scores[i] / 50;
    }
    const { mean: reference, std } = golden.score_samples_rows_0_199;
    let within = 0;
    for (let i = 0; i < rows.length; i++) {
      const bound = (4 * std[i]) / Math.sqrt(50);
      if (Math.abs(-mean[i] - reference[i]) <= bound) within++;
    }
    expect(within / rows.length).toBeGreaterThanOrEqual(0.95);
  });

  it("uses scikit-learn's 'auto' offset: threshold 0.5", () => {
    const forest = new IsolationForest({ nEstimators: 5 }).fit(golden.X.slice(0, 50));
    expect(forest.threshold).toBe(-golden.offset_auto);
  });
});

describe('IsolationForest options', () => {
  const X = contractData(300, 5, 3);

  it("grows trees from min(256, n) rows for maxSamples 'auto', a count or a fraction", () => {
    expect(new IsolationForest({ nEstimators: 2 }).fit(X).maxSamplesUsed).toBe(256);
    expect(new IsolationForest({ nEstimators: 2 }).fit(X.slice(0, 40)).maxSamplesUsed).toBe(40);
    expect(new IsolationForest({ nEstimators: 2, maxSamples: 64 }).fit(X).maxSamplesUsed).toBe(64);
    expect(new IsolationForest({ nEstimators: 2, maxSamples: 0.5 }).fit(X).maxSamplesUsed).toBe(
      150,
    );
  });

  it('caps maxSamples at n with a logged warning', () => {
    const warnings: string[] = [];
    const forest = new IsolationForest({
      nEstimators: 2,
      maxSamples: 1000,
      logger: { warn: (message) => warnings.push(message) },
    }).fit(X);
    expect(forest.maxSamplesUsed).toBe(300);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/maxSamples/);
  });

  it('keeps every tree within the depth limit ceil(log2(maxSamples))', () => {
    const forest = new IsolationForest({ nEstimators: 10, maxSamples: 32 }).fit(X);
    // A binary tree of depth at most 5 over 32 rows has at most 2 * 32 - 1 nodes.
    expect(forest.nodeCount).toBeLessThanOrEqual(10 * 63);
    const scores = forest.scoreSamples(X);
    // With depth <= 5 and c(leaf) <= c(32), no score can fall below 2^-(5 + c(32)) / c(32)).
    const floor = 2 ** (-(5 + averagePathLength(32)) / averagePathLength(32));
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(floor - 1e-12);
  });

  it('splits only on the drawn features when maxFeatures is below 1', () => {
    // Column 0 holds the only anomaly signal; with one feature per tree, only about a fifth of
    // the trees see it, so the outlier stands out less than with all features.
    const data = X.map((row) => row.slice());
    data[0][0] = 50;
    const all = new IsolationForest({ seed: 2 }).fit(data).scoreSamples([data[0]])[0];
    const one = new IsolationForest({ seed: 2, maxFeatures: 0.2 })
      .fit(data)
      .scoreSamples([data[0]])[0];
    expect(one).toBeLessThan(all);
    const two = new IsolationForest({ seed: 2, maxFeatures: 2 }).fit(data);
    expect(two.scoreSamples([data[0]])[0]).toBeLessThan(all);
  });

  it('supports bootstrap draws, deterministically under a seed', () => {
    const a = new IsolationForest({ bootstrap: true, seed: 4 }).fit(X).scoreSamples(X);
    const b = new IsolationForest({ bootstrap: true, seed: 4 }).fit(X).scoreSamples(X);
    const plain = new IsolationForest({ seed: 4 }).fit(X).scoreSamples(X);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(plain));
  });

  it('gives every row of constant data the same score', () => {
    const constant = Array.from({ length: 20 }, () => [1, 2, 3]);
    const scores = new IsolationForest({ nEstimators: 5 }).fit(constant).scoreSamples(constant);
    // Every tree is a single leaf of 20 rows: path length c(20), normalised by c(20).
    for (const s of scores) expect(s).toBeCloseTo(0.5, 12);
  });

  it('scores 0.5 everywhere when fitted on a single row, as scikit-learn does', () => {
    const forest = new IsolationForest({ nEstimators: 3 }).fit([[1, 2]]);
    const rows = [
      [1, 2],
      [50, -3],
    ];
    expect(Array.from(forest.scoreSamples(rows))).toEqual([0.5, 0.5]);
  });

  it('rejects bad options with a ValidationError naming them', () => {
    const bad: Record<string, unknown>[] = [
      { nEstimators: 0 },
      { nEstimators: 2.5 },
      { maxSamples: 0 },
      { maxSamples: 10.5 },
      { maxSamples: 'all' },
      { maxFeatures: -1 },
      { maxFeatures: 1.5 },
      { bootstrap: 'yes' },
      { seed: Number.NaN },
    ];
    for (const options of bad) {
      const name = Object.keys(options)[0];
      expect(() => new IsolationForest(options), name).toThrow(ValidationError);
      expect(() => new IsolationForest(options), name).toThrow(new RegExp(name));
    }
    expect(() => new IsolationForest({ maxFeatures: 9 }).fit(X)).toThrow(/maxFeatures/);
  });

  it('refuses a saved forest whose structure is inconsistent', () => {
    const saved = new IsolationForest({ nEstimators: 3 }).fit(X).toJSON();
    const state = { ...(saved.state as Record<string, unknown>), nFeatures: 2 };
    expect(() => IsolationForest.fromJSON(saveState(saved.format, 1, state))).toThrow(FormatError);
  });
});
