import { denseMatrix, FormatError, Random, saveState, ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { OneClassSVM, type OneClassSVMOptions } from '../src/one-class-svm.js';
import { solveOneClass } from '../src/smo.js';
import { lastScoringWorkers } from '../src/svm-kernels.js';
import { runDetectorContract } from './contract.js';
import { fixture, rocAuc } from './helpers.js';

runDetectorContract(
  'OneClassSVM (exact)',
  (options) => new OneClassSVM({ nu: 0.2, mode: 'exact', ...options }),
  { fromJSON: OneClassSVM.fromJSON },
);

runDetectorContract(
  'OneClassSVM (approximate)',
  (options) => new OneClassSVM({ nu: 0.2, mode: 'approximate', nComponents: 40, ...options }),
  { fromJSON: OneClassSVM.fromJSON, randomized: true },
);

interface GoldenCase {
  params: { nu: number; gamma: 'scale' | 'auto' | number; tol?: number };
  gamma_value: number;
  offset: number[];
  n_support: number;
  support_indices: number[];
  dual_coef: number[];
  decision_function_test: number[];
  score_samples_test: number[];
  predict_test: number[];
}

interface KernelCase {
  params: OneClassSVMOptions & { kernel: string };
  /** Added to every value of the golden rows before fitting and scoring. */
  shift: number;
  offset: number;
  n_support: number;
  decision_function_test: number[];
  predict_test: number[];
}

interface Golden {
  X_fit: number[][];
  X_test: number[][];
  cases: GoldenCase[];
  tiny: {
    X: number[][];
    gamma: 'auto';
    nu: number;
    predict: number[];
    score_samples: number[];
  };
  kernels: { cases: KernelCase[] };
}

const golden = fixture<Golden>('one_class_svm.json');

/** Largest |ours − theirs| over the test rows, as a fraction of the range of theirs. */
function relativeDecisionError(ours: Float64Array, theirs: number[]): number {
  const range = Math.max(...theirs) - Math.min(...theirs);
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  return worst / range;
}

/** scikit-learn's labels (−1 outlier, +1 inlier) as ours (1 anomaly, 0 normal). */
function asOurs(labels: number[]): number[] {
  return labels.map((v) => (v === -1 ? 1 : 0));
}

describe('OneClassSVM exact mode against scikit-learn 1.2', () => {
  for (const c of golden.cases) {
    const label = `nu=${c.params.nu}, gamma=${c.params.gamma}`;

    it(`matches gamma, support vectors, decision values and labels (${label})`, () => {
      const svm = new OneClassSVM({ ...c.params, mode: 'exact' }).fit(golden.X_fit);
      expect(svm.method).toBe('exact');
      expect(svm.gamma).toBeCloseTo(c.gamma_value, 12);
      expect(Math.abs(svm.nSupport - c.n_support)).toBeLessThanOrEqual(2);
      expect(
        relativeDecisionError(svm.decisionFunction(golden.X_test), c.decision_function_test),
      ).toBeLessThanOrEqual(1e-3);
      expect(Array.from(svm.predict(golden.X_test))).toEqual(asOurs(c.predict_test));
      expect(Math.abs(svm.offset - c.offset[0])).toBeLessThanOrEqual(1e-3 * Math.abs(c.offset[0]));
      expect(svm.threshold).toBe(-svm.offset);
    });

    it(`gives scikit-learn's dual coefficients on the shared support vectors (${label})`, () => {
      const svm = new OneClassSVM({ ...c.params, mode: 'exact' }).fit(golden.X_fit);
      const theirs = new Map(c.support_indices.map((index, k) => [index, c.dual_coef[k]]));
      const ours = svm.dualCoef;
      const indices = svm.supportIndices;
      let shared = 0;
      let sum = 0;
      for (let k = 0; k < indices.length; k++) {
        sum += ours[k];
        const expected = theirs.get(indices[k]);
        if (expected === undefined) continue;
        shared++;
        expect(Math.abs(ours[k] - expected), `alpha of row ${indices[k]}`).toBeLessThan(1e-2);
      }
      expect(shared).toBeGreaterThanOrEqual(c.n_support - 2);
      // The dual's equality constraint: Σα = νl.
      expect(sum).toBeCloseTo(c.params.nu * golden.X_fit.length, 8);
    });

    it(`scores as the negation of scikit-learn's score_samples (${label})`, () => {
      const svm = new OneClassSVM({ ...c.params, mode: 'exact' }).fit(golden.X_fit);
      const scores = svm.scoreSamples(golden.X_test);
      const negated = Float64Array.from(scores, (v) => -v);
      expect(relativeDecisionError(negated, c.score_samples_test)).toBeLessThanOrEqual(1e-3);
    });
  }

  for (const c of golden.kernels.cases) {
    it(`matches the ${c.params.kernel} kernel case (${JSON.stringify(c.params)})`, () => {
      const shifted = (rows: number[][]) => rows.map((row) => row.map((v) => v + c.shift));
      const test = shifted(golden.X_test);
      const svm = new OneClassSVM({ ...(c.params as OneClassSVMOptions), mode: 'exact' });
      svm.fit(shifted(golden.X_fit));
      expect(Math.abs(svm.nSupport - c.n_support)).toBeLessThanOrEqual(2);
      expect(
        relativeDecisionError(svm.decisionFunction(test), c.decision_function_test),
      ).toBeLessThanOrEqual(1e-3);
      expect(Array.from(svm.predict(test))).toEqual(asOurs(c.predict_test));
    });
  }

  it('matches the tiny one-feature case', () => {
    const { X, gamma, nu, predict, score_samples } = golden.tiny;
    const svm = new OneClassSVM({ gamma, nu }).fit(X);
    const scores = svm.scoreSamples(X);
    for (let i = 0; i < X.length; i++) {
      expect(-scores[i]).toBeCloseTo(score_samples[i], 9);
    }
    expect(Array.from(svm.predict(X))).toEqual(asOurs(predict));
  });
});

describe('OneClassSVM solver', () => {
  const rows = golden.X_fit;
  const flat = Float64Array.from(rows.flat());
  const spec = { kernel: 'rbf' as const, gamma: 0.2, degree: 3, coef0: 0 };

  it('reaches the same solution with a two-row kernel cache as with a large one', () => {
    const options = { tol: 1e-3, shrinking: true };
    const large = solveOneClass(flat, rows.length, 5, spec, 0.3, { ...options, cacheSize: 100 });
    const tiny = solveOneClass(flat, rows.length, 5, spec, 0.3, { ...options, cacheSize: 1e-6 });
    expect(tiny.converged).toBe(true);
    expect(tiny.rho).toBeCloseTo(large.rho, 12);
    expect(Array.from(tiny.alpha)).toEqual(Array.from(large.alpha));
  });

  it('agrees with and without shrinking to the tolerance', () => {
    const base = { tol: 1e-3, cacheSize: 10 };
    const shrunk = solveOneClass(flat, rows.length, 5, spec, 0.3, { ...base, shrinking: true });
    const plain = solveOneClass(flat, rows.length, 5, spec, 0.3, { ...base, shrinking: false });
    expect(Math.abs(shrunk.rho - plain.rho)).toBeLessThan(1e-3 * Math.abs(plain.rho));
  });

  it('keeps every alpha within [0, 1] with Σα = νl, and satisfies the KKT conditions', () => {
    const nu = 0.3;
    const tol = 1e-4;
    const solution = solveOneClass(flat, rows.length, 5, spec, nu, {
      tol,
      cacheSize: 10,
      shrinking: true,
    });
    let sum = 0;
    for (const a of solution.alpha) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
      sum += a;
    }
    expect(sum).toBeCloseTo(nu * rows.length, 9);
    // f(xᵢ) = Σⱼ αⱼ K(xᵢ, xⱼ) − ρ is ≥ 0 where αᵢ = 0, ≤ 0 where αᵢ = 1, ≈ 0 where free.
    const svm = new OneClassSVM({ gamma: 0.2, nu, tol, mode: 'exact' }).fit(rows);
    const decision = svm.decisionFunction(rows);
    for (let i = 0; i < rows.length; i++) {
      const a = solution.alpha[i];
      if (a === 0) expect(decision[i]).toBeGreaterThan(-2 * tol);
      else if (a === 1) expect(decision[i]).toBeLessThan(2 * tol);
      else expect(Math.abs(decision[i])).toBeLessThan(2 * tol);
    }
  });

  it('reports non-convergence through the logger when capped', () => {
    const warnings: string[] = [];
    const result = solveOneClass(flat, rows.length, 5, spec, 0.3, {
      tol: 1e-3,
      cacheSize: 10,
      shrinking: true,
      maxIterations: 3,
      logger: { warn: (message) => warnings.push(message) },
    });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
    expect(warnings[0]).toMatch(/iteration cap/);
  });
});

/** Gaussian blob with a ring of anomalies around it, labelled. */
function blobWithRing(rows: number, cols: number, seed: number) {
  const random = new Random(seed);
  const data: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < rows; i++) {
    const anomaly = i % 20 === 0;
    const row = Array.from({ length: cols }, () => random.normal());
    if (anomaly) {
      const norm = Math.hypot(...row);
      for (let j = 0; j < cols; j++) row[j] = (row[j] / norm) * (2.5 + random.next());
    }
    data.push(row);
    labels.push(anomaly ? 1 : 0);
  }
  return { data, labels };
}

describe('OneClassSVM approximate mode', () => {
  const train = blobWithRing(1200, 4, 1);
  const test = blobWithRing(600, 4, 2);

  it('ranks held-out rows within 0.02 ROC-AUC of the exact model', () => {
    const exact = new OneClassSVM({ nu: 0.1, mode: 'exact' }).fit(train.data);
    const approximate = new OneClassSVM({ nu: 0.1, mode: 'approximate', seed: 3 }).fit(train.data);
    expect(approximate.method).toBe('approximate');
    const exactAuc = rocAuc(test.labels, exact.scoreSamples(test.data));
    const approximateAuc = rocAuc(test.labels, approximate.scoreSamples(test.data));
    expect(exactAuc).toBeGreaterThan(0.8);
    expect(Math.abs(approximateAuc - exactAuc)).toBeLessThanOrEqual(0.02);
  });

  it("flags about ν of the training rows with contamination 'auto', as the exact model does", () => {
    const nu = 0.1;
    const approximate = new OneClassSVM({ nu, mode: 'approximate' }).fit(train.data);
    const flagged = approximate.predict(train.data).reduce((s, v) => s + v, 0) / 1200;
    expect(flagged).toBeGreaterThan(nu - 0.02);
    expect(flagged).toBeLessThanOrEqual(nu + 0.001);
    // Decision values are on the exact model's scale (Σα = νn), so ρ is of the same size.
    const exact = new OneClassSVM({ nu, mode: 'exact' }).fit(train.data);
    expect(approximate.offset / exact.offset).toBeGreaterThan(0.8);
    expect(approximate.offset / exact.offset).toBeLessThan(1.25);
  });

  it("switches to the approximate model above approximateAbove in mode 'auto', with a note", () => {
    const notes: string[] = [];
    const svm = new OneClassSVM({
      approximateAbove: 1000,
      nComponents: 30,
      logger: { info: (message) => notes.push(message) },
    }).fit(train.data);
    expect(svm.method).toBe('approximate');
    expect(svm.nSupport).toBe(30);
    expect(notes.join('\n')).toMatch(/approximate/);
    const small = new OneClassSVM({ approximateAbove: 5000 }).fit(train.data);
    expect(small.method).toBe('exact');
  });

  it('caps nComponents at the number of training rows', () => {
    const svm = new OneClassSVM({ mode: 'approximate', nComponents: 500 }).fit(
      train.data.slice(0, 50),
    );
    expect(svm.nSupport).toBe(50);
  });
});

describe('OneClassSVM scoring on worker threads', () => {
  it('gives the same scores on 3 threads as on the calling thread', () => {
    const train = blobWithRing(400, 6, 4).data;
    const query = blobWithRing(301, 6, 5).data;
    const one = new OneClassSVM({ mode: 'exact', workers: 1 }).fit(train);
    const three = new OneClassSVM({ mode: 'exact', workers: 3 }).fit(train);
    const single = one.scoreSamples(query);
    const threaded = three.scoreSamples(query);
    expect(lastScoringWorkers()).toBe(2);
    expect(Array.from(threaded)).toEqual(Array.from(single));
    const sigmoid = { kernel: 'sigmoid' as const, gamma: 0.05, mode: 'exact' as const };
    const a = new OneClassSVM({ ...sigmoid, workers: 1 }).fit(train).scoreSamples(query);
    const b = new OneClassSVM({ ...sigmoid, workers: 2 }).fit(train).scoreSamples(query);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('rejects a workers value that is not auto or a positive integer', () => {
    expect(() => new OneClassSVM({ workers: 0 })).toThrow(/workers/);
    expect(() => new OneClassSVM({ workers: 'many' as 'auto' })).toThrow(ValidationError);
  });
});

describe('OneClassSVM options and bad input', () => {
  const rows = golden.X_fit.slice(0, 60);

  it('rejects nu outside (0, 1]', () => {
    for (const nu of [0, -0.1, 1.5, Number.NaN]) {
      expect(() => new OneClassSVM({ nu })).toThrow(ValidationError);
    }
    expect(() => new OneClassSVM({ nu: 0 })).toThrow(/nu must be/);
    // ν = 1 puts every α at its bound; ρ is then the finite bound (scikit-learn refuses it).
    const all = new OneClassSVM({ nu: 1, mode: 'exact' }).fit(rows);
    expect(all.nSupport).toBe(60);
    expect(Number.isFinite(all.offset)).toBe(true);
    const decision = all.decisionFunction(rows);
    // ρ comes from single-precision cached kernel rows, hence the tolerance.
    expect(Math.abs(Math.max(...decision))).toBeLessThan(1e-4 * all.offset);
  });

  it('rejects a negative or zero gamma and unknown gamma names', () => {
    expect(() => new OneClassSVM({ gamma: -1 })).toThrow(/gamma must be/);
    expect(() => new OneClassSVM({ gamma: 0 })).toThrow(ValidationError);
    expect(() => new OneClassSVM({ gamma: 'wide' as 'auto' })).toThrow(ValidationError);
  });

  it('rejects a kernel it does not have', () => {
    expect(() => new OneClassSVM({ kernel: 'cubic' as 'rbf' })).toThrow(/kernel must be one of/);
  });

  it('rejects other bad options with a message naming the option', () => {
    expect(() => new OneClassSVM({ mode: 'fast' as 'exact' })).toThrow(/mode/);
    expect(() => new OneClassSVM({ degree: 2.5 })).toThrow(/degree/);
    expect(() => new OneClassSVM({ tol: 0 })).toThrow(/tol/);
    expect(() => new OneClassSVM({ cacheSize: -1 })).toThrow(/cacheSize/);
    expect(() => new OneClassSVM({ nComponents: 0 })).toThrow(/nComponents/);
    expect(() => new OneClassSVM({ shrinking: 'yes' as unknown as boolean })).toThrow(/shrinking/);
  });

  it('rejects a single training row', () => {
    expect(() => new OneClassSVM().fit([[1, 2, 3]])).toThrow(ValidationError);
    expect(() => new OneClassSVM().fit([[1, 2, 3]])).toThrow(/at least 2 training rows/);
  });

  it("resolves gamma 'scale' over every value of X, and 1 for constant X", () => {
    const svm = new OneClassSVM({ mode: 'exact' }).fit([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(svm.gamma).toBe(1);
    const values = rows.flat();
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    const fitted = new OneClassSVM({ mode: 'exact' }).fit(rows);
    expect(fitted.gamma).toBeCloseTo(1 / (5 * variance), 12);
  });

  it('refuses saved state whose arrays do not fit together', () => {
    const saved = new OneClassSVM({ mode: 'exact' }).fit(rows).toJSON() as {
      state: Record<string, unknown>;
    };
    const broken = saveState('decoders.one-class-svm', 1, { ...saved.state, nFeatures: 7 });
    expect(() => OneClassSVM.fromJSON(broken)).toThrow(FormatError);
    const badOptions = saveState('decoders.one-class-svm', 1, {
      ...saved.state,
      options: { nu: 3 },
    });
    expect(() => OneClassSVM.fromJSON(badOptions)).toThrow(/invalid options/);
  });

  it('accepts a float32 DenseMatrix and leaves it untouched', () => {
    const data = Float32Array.from(rows.flat());
    const before = data.slice();
    const svm = new OneClassSVM({ mode: 'exact' }).fit(denseMatrix(data, 60, 5));
    expect(svm.nFeatures).toBe(5);
    expect(Array.from(data)).toEqual(Array.from(before));
  });
});
