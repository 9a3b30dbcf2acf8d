import { FormatError, NotFittedError, saveState, ValidationError } from '@decoders/core';
import { distance } from 'ml-distance';
import { describe, expect, it } from 'vitest';
import { LocalOutlierFactor, NEIGHBOR_METRICS } from '../src/index.js';
import { searchNeighbors } from '../src/neighbors.js';
import { findNeighbors } from '../src/parallel.js';
import { contractData, runDetectorContract } from './contract.js';
import { fixture, relativeError } from './helpers.js';

runDetectorContract(
  'LocalOutlierFactor (novelty)',
  (options) => new LocalOutlierFactor({ novelty: true, contamination: options?.contamination }),
  { fromJSON: LocalOutlierFactor.fromJSON },
);

interface GoldenCase {
  params: { n_neighbors: number; contamination: 'auto' | number };
  negative_outlier_factor: number[];
  offset: number;
  score_samples_test: number[];
  decision_function_test: number[];
  predict_test: number[];
  fit_predict_train: number[];
}

interface Golden {
  X_fit: number[][];
  X_test: number[][];
  cases: GoldenCase[];
  tiny: { X: number[][]; n_neighbors: number; negative_outlier_factor: number[] };
}

function expectRelative(actual: ArrayLike<number>, expected: number[], sign = 1) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(relativeError(sign * actual[i], expected[i]), `row ${i}`).toBeLessThanOrEqual(1e-9);
  }
}

/** scikit-learn labels: -1 for an outlier, 1 for an inlier. */
const toSklearn = (labels: Uint8Array) => Array.from(labels, (v) => (v === 1 ? -1 : 1));

describe('LocalOutlierFactor against scikit-learn 1.2', () => {
  const golden = fixture<Golden>('lof.json');

  for (const c of golden.cases) {
    const { n_neighbors: nNeighbors, contamination } = c.params;
    const label = `nNeighbors ${nNeighbors}, contamination ${contamination}`;

    it(`novelty mode matches (${label})`, () => {
      const lof = new LocalOutlierFactor({ nNeighbors, contamination, novelty: true });
      lof.fit(golden.X_fit);
      expectRelative(lof.negativeOutlierFactor, c.negative_outlier_factor);
      expect(relativeError(-lof.threshold, c.offset)).toBeLessThanOrEqual(1e-9);
      expectRelative(lof.scoreSamples(golden.X_test), c.score_samples_test, -1);
      const decision = lof.decisionFunction(golden.X_test);
      for (let i = 0; i < decision.length; i++) {
        // Decision values near zero lose relative precision to the subtraction; compare on the
        // scale of the score.
        const scale = Math.max(1, Math.abs(c.score_samples_test[i]));
        expect(Math.abs(decision[i] - c.decision_function_test[i]) / scale).toBeLessThan(1e-9);
      }
      expect(toSklearn(lof.predict(golden.X_test))).toEqual(c.predict_test);
    });

    it(`outlier mode fitPredict matches (${label})`, () => {
      const lof = new LocalOutlierFactor({ nNeighbors, contamination });
      expect(toSklearn(lof.fitPredict(golden.X_fit))).toEqual(c.fit_predict_train);
      expectRelative(lof.trainingScores, c.negative_outlier_factor, -1);
    });
  }

  it('matches the tiny case', () => {
    const lof = new LocalOutlierFactor({ nNeighbors: golden.tiny.n_neighbors }).fit(golden.tiny.X);
    expectRelative(lof.negativeOutlierFactor, golden.tiny.negative_outlier_factor);
  });

  it('covers exact duplicate rows in the golden data', () => {
    const seen = new Set(golden.X_fit.map((row) => row.join(',')));
    expect(seen.size).toBeLessThan(golden.X_fit.length);
  });
});

describe('LocalOutlierFactor outlier mode', () => {
  const X = contractData(120, 3, 5);

  it('scores the training rows and refuses new rows, pointing to novelty mode', () => {
    const lof = new LocalOutlierFactor().fit(X);
    expect(Array.from(lof.scoreSamples(X))).toEqual(Array.from(lof.trainingScores));
    expect(Array.from(lof.predict(X))).toEqual(Array.from(lof.fitPredict(X)));
    const other = X.map((row) => row.map((v) => v + 0.5));
    expect(() => lof.scoreSamples(other)).toThrow(ValidationError);
    expect(() => lof.scoreSamples(other)).toThrow(/novelty: true/);
    expect(() => lof.predict(X.slice(1))).toThrow(/novelty/);
  });

  it('saves and restores the training scores without the training rows', () => {
    const lof = new LocalOutlierFactor({ contamination: 0.1 }).fit(X);
    const restored = LocalOutlierFactor.fromJSON(JSON.stringify(lof));
    expect(Array.from(restored.scoreSamples(X))).toEqual(Array.from(lof.scoreSamples(X)));
    expect(restored.threshold).toBe(lof.threshold);
    expect(JSON.stringify(lof).length).toBeLessThan(
      JSON.stringify(new LocalOutlierFactor({ novelty: true }).fit(X)).length,
    );
  });

  it('gives the same training scores as novelty mode', () => {
    const outlier = new LocalOutlierFactor().fit(X).negativeOutlierFactor;
    const novelty = new LocalOutlierFactor({ novelty: true }).fit(X).negativeOutlierFactor;
    expect(Array.from(outlier)).toEqual(Array.from(novelty));
  });
});

describe('LocalOutlierFactor neighbours', () => {
  const X = contractData(90, 4, 8);

  it('clamps nNeighbors to n - 1 with a logged warning', () => {
    const warnings: string[] = [];
    const lof = new LocalOutlierFactor({
      nNeighbors: 20,
      logger: { warn: (message) => warnings.push(message) },
    }).fit(X.slice(0, 8));
    expect(lof.nNeighborsUsed).toBe(7);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/nNeighbors \(20\)/);
  });

  it('rejects fewer than two rows', () => {
    expect(() => new LocalOutlierFactor().fit([[1, 2]])).toThrow(ValidationError);
  });

  it('finds the same neighbours as a plain search with ml-distance, ties to the lower index', () => {
    const data = Float64Array.from(X.flat());
    // Duplicate a few rows so that distance ties occur.
    for (const [to, from] of [
      [5, 6],
      [7, 6],
      [30, 2],
    ]) {
      data.copyWithin(to * 4, from * 4, from * 4 + 4);
    }
    for (const metric of ['euclidean', 'manhattan', 'chebyshev'] as const) {
      const k = 6;
      const result = searchNeighbors({
        train: data,
        trainRows: 90,
        cols: 4,
        query: data,
        start: 0,
        end: 90,
        k,
        metric,
        excludeSelf: true,
      });
      for (let i = 0; i < 90; i++) {
        const row = Array.from(data.subarray(i * 4, i * 4 + 4));
        const expected = Array.from({ length: 90 }, (_, j) => j)
          .filter((j) => j !== i)
          .map((j) => ({
            j,
            d: distance[metric](row, Array.from(data.subarray(j * 4, j * 4 + 4))),
          }))
          .sort((a, b) => a.d - b.d || a.j - b.j)
          .slice(0, k);
        expect(Array.from(result.indices.subarray(i * k, (i + 1) * k))).toEqual(
          expected.map((e) => e.j),
        );
        for (let m = 0; m < k; m++) {
          expect(result.distances[i * k + m]).toBeCloseTo(expected[m].d, 12);
        }
      }
    }
  });

  it('prunes without changing results: ties on grid data, far from the origin, new queries', () => {
    // Six columns: one unrolled block of four plus the remainder loop.
    const k = 7;
    const grid = contractData(150, 6, 21).map((row) => row.map((v) => Math.round(v * 2)));
    const far = contractData(150, 6, 22).map((row) => row.map((v) => v * 1e-3 + 1e6));
    for (const rows of [grid, far]) {
      const train = Float64Array.from(rows.slice(0, 110).flat());
      const query = Float64Array.from(rows.slice(110).flat());
      for (const [q, n, excludeSelf] of [
        [train, 110, true],
        [query, 40, false],
      ] as const) {
        const result = searchNeighbors({
          train,
          trainRows: 110,
          cols: 6,
          query: q,
          start: 0,
          end: n,
          k,
          metric: 'euclidean',
          excludeSelf,
        });
        for (let i = 0; i < n; i++) {
          const row = q.subarray(i * 6, i * 6 + 6);
          const expected = Array.from({ length: 110 }, (_, j) => j)
            .filter((j) => !excludeSelf || j !== i)
            .map((j) => {
              let sum = 0;
              for (let c = 0; c < 6; c++) sum += (row[c] - train[j * 6 + c]) ** 2;
              return { j, d: Math.sqrt(sum) };
            })
            .sort((a, b) => a.d - b.d || a.j - b.j)
            .slice(0, k);
          expect(Array.from(result.indices.subarray(i * k, (i + 1) * k))).toEqual(
            expected.map((e) => e.j),
          );
          expect(Array.from(result.distances.subarray(i * k, (i + 1) * k))).toEqual(
            expected.map((e) => e.d),
          );
        }
      }
    }
  });

  it('screens blocks exactly: odd widths, scales far apart, duplicates, with and without WebAssembly', () => {
    /** The k smallest (plain-loop distance, index) pairs of each query, by brute force. */
    const brute = (
      train: Float64Array,
      n: number,
      q: Float64Array,
      m: number,
      cols: number,
      k: number,
      self: boolean,
    ) => {
      const indices: number[] = [];
      const distances: number[] = [];
      for (let i = 0; i < m; i++) {
        const all: { j: number; d: number }[] = [];
        for (let j = 0; j < n; j++) {
          if (self && j === i) continue;
          let sum = 0;
          for (let c = 0; c < cols; c++) sum += (q[i * cols + c] - train[j * cols + c]) ** 2;
          all.push({ j, d: sum });
        }
        all.sort((a, b) => a.d - b.d || a.j - b.j);
        for (const e of all.slice(0, k)) {
          indices.push(e.j);
          distances.push(Math.sqrt(e.d));
        }
      }
      return { indices, distances };
    };
    const wasm = globalThis.WebAssembly;
    try {
      for (const hide of [false, true]) {
        if (hide) (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
        for (const [rows, cols, scale] of [
          [203, 7, 1],
          [161, 33, 1],
          [150, 5, 1e6],
          [97, 6, 0],
          [45, 3, 1e200],
        ] as const) {
          const base = contractData(rows + 37, cols, rows);
          const data = base.map((row) =>
            row.map((v, c) =>
              // 0: a grid with many ties; 1e6: columns scaled 1e-3 to 10, around 1e6; 1e200: norms
              // beyond the float range
              scale === 0
                ? Math.round(v)
                : scale === 1
                  ? v
                  : scale === 1e200
                    ? v * 1e200
                    : v * 10 ** (c - 3) + 1e6,
            ),
          );
          // Exact duplicates of earlier rows.
          for (let i = 10; i < rows; i += 17) data[i] = [...data[i - 3]];
          const train = Float64Array.from(data.slice(0, rows).flat());
          const query = Float64Array.from(data.slice(rows).flat());
          const k = 9;
          for (const [q, m, self] of [
            [train, rows, true],
            [query, 37, false],
            [train, 41, true],
          ] as const) {
            const result = searchNeighbors({
              train,
              trainRows: rows,
              cols,
              query: q,
              start: 0,
              end: m,
              k,
              metric: 'euclidean',
              excludeSelf: self,
            });
            const expected = brute(train, rows, q, m, cols, k, self);
            const label = `${rows} × ${cols}, scale ${scale}, ${m} queries, wasm hidden ${hide}`;
            expect(Array.from(result.indices), label).toEqual(expected.indices);
            expect(Array.from(result.distances), label).toEqual(expected.distances);
          }
        }
      }
    } finally {
      (globalThis as { WebAssembly?: unknown }).WebAssembly = wasm;
    }
  });

  it('accepts the metrics of ml-distance and rejects unknown ones', () => {
    // Rows that are probability vectors, the domain of the divergences among them.
    const positive = X.map((row) => {
      const shifted = row.map((v) => Math.abs(v) + 0.1);
      const total = shifted.reduce((a, b) => a + b, 0);
      return shifted.map((v) => v / total);
    });
    for (const metric of NEIGHBOR_METRICS) {
      const scores = new LocalOutlierFactor({ metric, nNeighbors: 5, novelty: true })
        .fit(positive)
        .scoreSamples(positive.slice(0, 4));
      for (const s of scores) expect(Number.isFinite(s), metric).toBe(true);
    }
    expect(() => new LocalOutlierFactor({ metric: 'cosine' as never })).toThrow(/metric/);
  });

  it('rejects a metric that cannot handle the data', () => {
    const lof = new LocalOutlierFactor({ metric: 'kullbackLeibler', nNeighbors: 5 });
    const withNegatives = X.map((row) => row.map((v) => v - 10));
    expect(() => lof.fit(withNegatives)).toThrow(ValidationError);
  });

  it('gives identical results with worker threads and on one thread', () => {
    const many = contractData(601, 6, 9);
    const train = Float64Array.from(many.flat());
    const task = { train, trainRows: 601, cols: 6, query: train, start: 0, end: 601, k: 10 };
    // One thread shares each pair between its two rows; three split the rows and do not.
    const one = findNeighbors(task, 'euclidean', true, 1);
    const three = findNeighbors(task, 'euclidean', true, 3);
    expect(three.workersUsed).toBe(2);
    expect(Array.from(three.indices)).toEqual(Array.from(one.indices));
    expect(Array.from(three.distances)).toEqual(Array.from(one.distances));
    const newRows = { ...task, query: Float64Array.from(contractData(99, 6, 10).flat()), end: 99 };
    const oneNew = findNeighbors(newRows, 'euclidean', false, 1);
    const threeNew = findNeighbors(newRows, 'euclidean', false, 3);
    expect(threeNew.workersUsed).toBe(2);
    expect(Array.from(threeNew.indices)).toEqual(Array.from(oneNew.indices));
    expect(Array.from(threeNew.distances)).toEqual(Array.from(oneNew.distances));
    const single = new LocalOutlierFactor({ novelty: true, workers: 1 }).fit(many);
    const parallel = new LocalOutlierFactor({ novelty: true, workers: 3 }).fit(many);
    expect(Array.from(parallel.scoreSamples(X.map((r) => [...r, 0, 0])))).toEqual(
      Array.from(single.scoreSamples(X.map((r) => [...r, 0, 0]))),
    );
  });
});

describe('LocalOutlierFactor options and state', () => {
  it('rejects bad options with a ValidationError naming them', () => {
    const bad: Record<string, unknown>[] = [
      { nNeighbors: 0 },
      { nNeighbors: 2.5 },
      { novelty: 'yes' },
      { metric: 'cosine' },
      { workers: 0 },
      { contamination: 0.9 },
    ];
    for (const options of bad) {
      const name = Object.keys(options)[0];
      expect(() => new LocalOutlierFactor(options), name).toThrow(ValidationError);
      expect(() => new LocalOutlierFactor(options), name).toThrow(new RegExp(name));
    }
  });

  it('throws NotFittedError for fitted attributes before fit', () => {
    const lof = new LocalOutlierFactor();
    expect(() => lof.negativeOutlierFactor).toThrow(NotFittedError);
    expect(() => lof.trainingScores).toThrow(NotFittedError);
  });

  it('refuses a saved detector whose shapes are inconsistent', () => {
    const X = contractData(40, 2, 1);
    const saved = new LocalOutlierFactor({ novelty: true, nNeighbors: 5 }).fit(X).toJSON();
    const state = { ...(saved.state as Record<string, unknown>), nRows: 41 };
    expect(() => LocalOutlierFactor.fromJSON(saveState(saved.format, 1, state))).toThrow(
      FormatError,
    );
  });
});
