/**
 * The contract every detector of this package follows, and the small pieces of it that are the
 * same for all of them: the contamination option, the threshold it sets, and the conversions from
 * scores to scikit-learn's decision function and to 0/1 predictions.
 *
 * Score convention, stated once for the whole package: `scoreSamples` is higher for more
 * anomalous rows (the negation of scikit-learn's `score_samples`); `threshold` is the negation of
 * scikit-learn's `offset_`; a row is an anomaly (`predict` gives 1) when its score is strictly
 * above the threshold; `decisionFunction` equals scikit-learn's (`threshold - score`, negative
 * for an anomaly).
 */
import type { MatrixInput, SavedState } from '@decoders/core';
import { ValidationError } from '@decoders/core';

/** `'auto'` (the detector's own default threshold) or the expected rate of anomalies. */
export type Contamination = 'auto' | number;

/** What every detector of this package offers. */
export interface Detector {
  /** Learns from `X` (rows are samples) and returns the detector. */
  fit(X: MatrixInput): this;
  /** One score per row of `X`; higher means more anomalous. */
  scoreSamples(X: MatrixInput): Float64Array;
  /** scikit-learn's `decision_function`: `threshold - score`, negative for an anomaly. */
  decisionFunction(X: MatrixInput): Float64Array;
  /** 1 for an anomaly (score above `threshold`), 0 otherwise. */
  predict(X: MatrixInput): Uint8Array;
  /** Scores strictly above this are anomalies (the negation of scikit-learn's `offset_`). */
  readonly threshold: number;
  /** Number of columns seen by `fit`. */
  readonly nFeatures: number;
  /** The fitted state in core's save format. */
  toJSON(): SavedState;
}

/**
 * Checks a contamination option: `'auto'` or a number in (0, 0.5], as scikit-learn allows.
 * @throws ValidationError otherwise.
 */
export function checkContamination(value: unknown, name = 'contamination'): Contamination {
  if (value === 'auto') return value;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 0.5) {
    return value;
  }
  throw new ValidationError(
    `${name} must be 'auto' or a rate in (0, 0.5], got ${JSON.stringify(value) ?? String(value)}`,
  );
}

/**
 * The `q`-th percentile (0..100) of `values` with linear interpolation, computed the way NumPy's
 * default `percentile` does so that thresholds agree with scikit-learn's to rounding.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) throw new ValidationError('percentile needs at least one value');
  const sorted = Float64Array.from(values).sort();
  const quantile = q / 100;
  const position = (n - 1) * quantile;
  const below = Math.min(Math.max(Math.floor(position), 0), n - 1);
  const above = Math.min(below + 1, n - 1);
  const t = position - Math.floor(position);
  const a = sorted[below];
  const b = sorted[above];
  const difference = b - a;
  // NumPy interpolates from the nearer end, which changes the last bit of the result.
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

/**
 * The threshold that flags a fraction `rate` of `trainingScores`: the negation of the
 * `100 * rate` percentile of scikit-learn's scores, as scikit-learn sets `offset_`.
 */
export function thresholdForRate(trainingScores: ArrayLike<number>, rate: number): number {
  const negated = new Float64Array(trainingScores.length);
  for (let i = 0; i < negated.length; i++) negated[i] = -trainingScores[i];
  return -percentile(negated, 100 * rate);
}

/** scikit-learn's decision function from our scores: `threshold - score`. */
export function decisionFromScores(scores: Float64Array, threshold: number): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = threshold - scores[i];
  return out;
}

/** 1 where the score is strictly above the threshold, else 0. */
export function predictFromScores(scores: Float64Array, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] > threshold ? 1 : 0;
  return out;
}
