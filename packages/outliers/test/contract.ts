/**
 * The checks every detector of this package must pass, in the spirit of scikit-learn's common
 * estimator checks. A detector's test file calls `runDetectorContract` with a factory.
 */
import {
  type DenseMatrix,
  denseMatrix,
  FormatError,
  NotFittedError,
  Random,
  ValidationError,
} from '@decoders/core';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import type { Contamination, Detector } from '../src/index.js';
import { detectorFromJSON } from '../src/index.js';

/** Options the contract passes to the factory. */
export interface ContractFactoryOptions {
  /** Seed for randomised detectors. */
  seed?: number;
  /** Contamination option to build the detector with. */
  contamination?: Contamination;
}

/** How to run the contract for one detector. */
export interface ContractOptions {
  /** The class's static `fromJSON`. */
  fromJSON: (json: unknown) => Detector;
  /** Whether results depend on `seed` (checked to differ between seeds). Default `false`. */
  randomized?: boolean;
  /** Largest relative difference allowed where results must agree. Default 0 (identical). */
  tolerance?: number;
  /** Rows of the generated training matrix. Default 160. */
  rows?: number;
  /** Columns of the generated matrices. Default 4. */
  cols?: number;
}

/**
 * Rows of a seeded Gaussian blob plus a few far points. Values are multiples of 1/64 so that the
 * float32 form holds them exactly and every matrix form carries the same numbers.
 */
export function contractData(rows: number, cols: number, seed: number): number[][] {
  const random = new Random(seed);
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const far = i % 23 === 7;
    const row: number[] = [];
    for (let j = 0; j < cols; j++) {
      const v = random.normal(0, 1) * (far ? 6 : 1) + (far ? 4 : 0);
      row.push(Math.round(v * 64) / 64);
    }
    out.push(row);
  }
  return out;
}

function toTyped(rows: number[][], float32 = false): DenseMatrix {
  const cols = rows[0].length;
  const flat = rows.flat();
  const data = float32 ? Float32Array.from(flat) : Float64Array.from(flat);
  return denseMatrix(data, rows.length, cols);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (tolerance === 0) {
      expect(actual[i], `element ${i}`).toBe(expected[i]);
    } else {
      const scale = Math.max(1, Math.abs(expected[i]));
      expect(Math.abs(actual[i] - expected[i]), `element ${i}`).toBeLessThanOrEqual(
        tolerance * scale,
      );
    }
  }
}

/** Registers the shared detector checks as a vitest `describe` block named after the detector. */
export function runDetectorContract(
  name: string,
  make: (options?: ContractFactoryOptions) => Detector,
  options: ContractOptions,
): void {
  const rows = options.rows ?? 160;
  const cols = options.cols ?? 4;
  const tolerance = options.tolerance ?? 0;
  const train = contractData(rows, cols, 11);
  const query = contractData(41, cols, 12);

  describe(`${name} detector contract`, () => {
    it('fits, returns itself and scores one finite value per row', () => {
      const detector = make({ seed: 1 });
      expect(detector.fit(train)).toBe(detector);
      expect(detector.nFeatures).toBe(cols);
      const scores = detector.scoreSamples(query);
      expect(scores).toBeInstanceOf(Float64Array);
      expect(scores.length).toBe(query.length);
      for (const s of scores) expect(Number.isFinite(s)).toBe(true);
      expect(Number.isFinite(detector.threshold)).toBe(true);
    });

    it('scores the far rows above the blob on average', () => {
      const detector = make({ seed: 1 }).fit(train);
      const far = contractData(rows, cols, 11)
        .map((row, i) => ({ row, i }))
        .filter(({ i }) => i % 23 === 7)
        .map(({ row }) => row.map((v) => v + 20));
      const near = train.filter((_, i) => i % 23 !== 7).slice(0, 20);
      const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
      expect(mean(detector.scoreSamples(far))).toBeGreaterThan(mean(detector.scoreSamples(near)));
    });

    it('predicts 1 exactly where the score is above the threshold', () => {
      const detector = make({ seed: 1, contamination: 0.1 }).fit(train);
      const scores = detector.scoreSamples(query);
      const labels = detector.predict(query);
      expect(labels).toBeInstanceOf(Uint8Array);
      for (let i = 0; i < scores.length; i++) {
        expect(labels[i]).toBe(scores[i] > detector.threshold ? 1 : 0);
      }
    });

    it("gives scikit-learn's decision function: threshold minus score", () => {
      const detector = make({ seed: 1 }).fit(train);
      const scores = detector.scoreSamples(query);
      const decision = detector.decisionFunction(query);
      expect(decision).toBeInstanceOf(Float64Array);
      for (let i = 0; i < scores.length; i++) {
        expect(decision[i]).toBeCloseTo(detector.threshold - scores[i], 12);
        expect(decision[i] < 0).toBe(scores[i] > detector.threshold);
      }
    });

    it('sets a threshold from contamination that flags about that rate of training rows', () => {
      const auto = make({ seed: 1, contamination: 'auto' }).fit(train);
      const rated = make({ seed: 1, contamination: 0.2 }).fit(train);
      expect(rated.threshold).not.toBe(auto.threshold);
      const flagged = rated.predict(train).reduce((s, v) => s + v, 0) / rows;
      expect(flagged).toBeGreaterThan(0.05);
      expect(flagged).toBeLessThan(0.35);
    });

    it('rejects a contamination outside (0, 0.5]', () => {
      for (const contamination of [0, -0.1, 0.6, Number.NaN, 'high' as unknown as number]) {
        expect(() => make({ contamination }).fit(train)).toThrow(ValidationError);
      }
    });

    it("accepts each of core's matrix forms with the same result", () => {
      const detector = make({ seed: 1 }).fit(toTyped(train, true));
      const expected = detector.scoreSamples(query);
      expectClose(detector.scoreSamples(toTyped(query)), expected, tolerance);
      expectClose(detector.scoreSamples(toTyped(query, true)), expected, tolerance);
      expectClose(detector.scoreSamples(new Matrix(query)), expected, tolerance);
      const fromArrays = make({ seed: 1 }).fit(train);
      expectClose(fromArrays.scoreSamples(query), expected, tolerance);
      const fromMatrix = make({ seed: 1 }).fit(new Matrix(train));
      expectClose(fromMatrix.scoreSamples(query), expected, tolerance);
    });

    it('gives results that do not depend on how rows are batched', () => {
      const detector = make({ seed: 1 }).fit(train);
      const all = detector.scoreSamples(query);
      const batched: number[] = [];
      for (let start = 0; start < query.length; start += 7) {
        batched.push(...detector.scoreSamples(query.slice(start, start + 7)));
      }
      expectClose(batched, all, tolerance);
      const single = query.map((row) => detector.scoreSamples([row])[0]);
      expectClose(single, all, tolerance);
    });

    it("never mutates the caller's data", () => {
      const typed = toTyped(train);
      const before = Float64Array.from(typed.data);
      const arrays = query.map((row) => row.slice());
      const detector = make({ seed: 1 }).fit(typed);
      detector.scoreSamples(arrays);
      detector.predict(arrays);
      detector.decisionFunction(typed);
      expect(Array.from(typed.data)).toEqual(Array.from(before));
      expect(arrays).toEqual(query);
    });

    it('gives identical results for the same seed', () => {
      const a = make({ seed: 5 }).fit(train).scoreSamples(query);
      const b = make({ seed: 5 }).fit(train).scoreSamples(query);
      expect(Array.from(a)).toEqual(Array.from(b));
      if (options.randomized) {
        const c = make({ seed: 6 }).fit(train).scoreSamples(query);
        expect(Array.from(c)).not.toEqual(Array.from(a));
      }
    });

    it('round-trips through toJSON / fromJSON and JSON text to identical scores', () => {
      const detector = make({ seed: 3, contamination: 0.1 }).fit(train);
      const expected = detector.scoreSamples(query);
      const text = JSON.stringify(detector);
      for (const restored of [
        options.fromJSON(detector.toJSON()),
        options.fromJSON(text),
        options.fromJSON(JSON.parse(text)),
        detectorFromJSON(text),
      ]) {
        expect(restored.constructor).toBe(detector.constructor);
        expect(restored.threshold).toBe(detector.threshold);
        expect(restored.nFeatures).toBe(cols);
        expect(Array.from(restored.scoreSamples(query))).toEqual(Array.from(expected));
        expect(Array.from(restored.predict(query))).toEqual(Array.from(detector.predict(query)));
      }
    });

    it('refuses corrupt, foreign or newer saved state with a FormatError', () => {
      const saved = make({ seed: 3 }).fit(train).toJSON();
      const edited = JSON.parse(JSON.stringify(saved));
      edited.checksum = '0000000000000000';
      expect(() => options.fromJSON(edited)).toThrow(FormatError);
      expect(() => options.fromJSON({ ...saved, format: 'decoders.other' })).toThrow(FormatError);
      expect(() => options.fromJSON({ ...saved, version: 99 })).toThrow(FormatError);
      expect(() => options.fromJSON('{"truncated')).toThrow(FormatError);
      expect(() => detectorFromJSON({ ...saved, format: 'decoders.other' })).toThrow(FormatError);
    });

    it('rejects NaN and infinite values in fit and in scoring', () => {
      const withNaN = train.map((row) => row.slice());
      withNaN[3][1] = Number.NaN;
      expect(() => make().fit(withNaN)).toThrow(ValidationError);
      const detector = make({ seed: 1 }).fit(train);
      const withInfinity = query.map((row) => row.slice());
      withInfinity[0][0] = Number.POSITIVE_INFINITY;
      expect(() => detector.scoreSamples(withInfinity)).toThrow(ValidationError);
      expect(() => detector.predict(withInfinity)).toThrow(ValidationError);
    });

    it('rejects a width that differs from the one seen by fit, and empty input', () => {
      const detector = make({ seed: 1 }).fit(train);
      const wider = query.map((row) => [...row, 0]);
      expect(() => detector.scoreSamples(wider)).toThrow(ValidationError);
      expect(() => detector.predict(wider)).toThrow(/columns/);
      expect(() => make().fit([])).toThrow(ValidationError);
    });

    it('throws NotFittedError before fit', () => {
      const detector = make();
      expect(() => detector.scoreSamples(query)).toThrow(NotFittedError);
      expect(() => detector.predict(query)).toThrow(NotFittedError);
      expect(() => detector.decisionFunction(query)).toThrow(NotFittedError);
      expect(() => detector.threshold).toThrow(NotFittedError);
      expect(() => detector.toJSON()).toThrow(NotFittedError);
    });
  });
}
