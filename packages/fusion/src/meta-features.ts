/**
 * Per-detector meta-features for fusion: the raw score, its z-score and its empirical CDF rank,
 * all measured against statistics frozen at fit time. Because nothing is computed across the
 * rows being scored, a row gets the same meta-features alone or inside any batch.
 */
import {
  type DenseMatrix,
  decodeArray,
  encodeArray,
  FormatError,
  loadState,
  type MatrixInput,
  NotFittedError,
  type SavedState,
  saveState,
  toDense,
} from '@decoders/core';

/** Format name of a saved {@link MetaFeatures}. */
export const META_FEATURES_FORMAT = 'decoders.meta-features';
const META_FEATURES_VERSION = 1;

/** Meta-features per detector score, in this order along the last axis. */
export const META_FEATURE_NAMES = ['raw', 'z', 'rank'] as const;

/** Added to every standard deviation so a constant detector gives z = 0, not NaN. */
const STD_EPSILON = 1e-8;

interface MetaFeaturesState {
  nDetectors: number;
  nReference: number;
  mean: number[];
  std: number[];
  /** Training scores of each detector, sorted ascending, detector after detector (float64). */
  sorted: string;
}

/**
 * Turns detector scores `[N, M]` into meta-features `[N, M, 3]` (raw, z-score, ECDF rank).
 *
 * `fit` stores, per detector, the mean and population standard deviation of the training
 * scores and the sorted training scores. `transform` then computes
 * `z = (s - mean) / (std + 1e-8)` and `rank = #{training scores <= s} / nTraining` (a binary
 * search), so scoring never depends on the other rows of a batch.
 *
 * @example
 * const meta = new MetaFeatures().fit(trainScores);   // [N, M]
 * const features = meta.transform(newScores);         // Float32Array, [N, M, 3] row-major
 */
export class MetaFeatures {
  private mean_: Float64Array | undefined;
  private std_: Float64Array | undefined;
  private sorted_: Float64Array | undefined;
  private nReference_ = 0;
  private nDetectors_ = 0;

  /** Number of detector scores per row seen at fit time. */
  get nDetectors(): number {
    this.checkFitted('nDetectors');
    return this.nDetectors_;
  }

  /** Number of training rows behind the statistics. */
  get nReference(): number {
    this.checkFitted('nReference');
    return this.nReference_;
  }

  /** Training mean of each detector's score. */
  get mean(): Float64Array {
    this.checkFitted('mean');
    return Float64Array.from(this.mean_!);
  }

  /** Training standard deviation (population, plus 1e-8) of each detector's score. */
  get std(): Float64Array {
    this.checkFitted('std');
    return Float64Array.from(this.std_!);
  }

  /** Freezes the statistics of the training scores `[N, M]` (finite, at least one row). */
  fit(scores: MatrixInput): this {
    const s = toDense(scores, { name: 'scores', dtype: 'float64' });
    const { rows: n, cols: m, data } = s;
    const mean = new Float64Array(m);
    const std = new Float64Array(m);
    const sorted = new Float64Array(n * m);
    const column = new Float64Array(n);
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        column[i] = data[i * m + j];
        sum += column[i];
      }
      const mu = sum / n;
      let squares = 0;
      for (let i = 0; i < n; i++) squares += (column[i] - mu) ** 2;
      mean[j] = mu;
      std[j] = Math.sqrt(squares / n) + STD_EPSILON;
      column.sort();
      sorted.set(column, j * n);
    }
    this.mean_ = mean;
    this.std_ = std;
    this.sorted_ = sorted;
    this.nReference_ = n;
    this.nDetectors_ = m;
    return this;
  }

  /**
   * Meta-features of `scores` `[N, M]` as a row-major Float32Array of shape `[N, M, 3]`:
   * element `(i, j, k)` is at `(i * M + j) * 3 + k`, with k = 0 raw, 1 z-score, 2 rank.
   */
  transform(scores: MatrixInput): Float32Array {
    this.checkFitted('transform()');
    const s = toDense(scores, { name: 'scores', dtype: 'float64', cols: this.nDetectors_ });
    const out = new Float32Array(s.rows * s.cols * 3);
    const m = s.cols;
    for (let i = 0; i < s.rows; i++) {
      for (let j = 0; j < m; j++) {
        const v = s.data[i * m + j];
        const at = (i * m + j) * 3;
        out[at] = v;
        out[at + 1] = (v - this.mean_![j]) / this.std_![j];
        out[at + 2] = this.rankOf(j, v);
      }
    }
    return out;
  }

  /** ECDF ranks only, `[N, M]` in [0, 1]: the share of training scores at or below each score. */
  ranks(scores: MatrixInput): DenseMatrix<Float64Array> {
    this.checkFitted('ranks()');
    const s = toDense(scores, { name: 'scores', dtype: 'float64', cols: this.nDetectors_ });
    const out = new Float64Array(s.rows * s.cols);
    for (let i = 0; i < s.rows; i++) {
      for (let j = 0; j < s.cols; j++) out[i * s.cols + j] = this.rankOf(j, s.data[i * s.cols + j]);
    }
    return { data: out, rows: s.rows, cols: s.cols };
  }

  /** Saved state: statistics and the sorted training scores. */
  toJSON(): SavedState<MetaFeaturesState> {
    this.checkFitted('toJSON()');
    return saveState(META_FEATURES_FORMAT, META_FEATURES_VERSION, {
      nDetectors: this.nDetectors_,
      nReference: this.nReference_,
      mean: Array.from(this.mean_!),
      std: Array.from(this.std_!),
      sorted: encodeArray(this.sorted_!),
    });
  }

  /** Restores a {@link MetaFeatures} saved by `toJSON()` (object or JSON text). */
  static fromJSON(json: unknown): MetaFeatures {
    const state = loadState<MetaFeaturesState>(json, META_FEATURES_FORMAT, META_FEATURES_VERSION);
    const m = state?.nDetectors;
    const n = state?.nReference;
    if (!Number.isInteger(m) || m < 1 || !Number.isInteger(n) || n < 1) {
      throw new FormatError('saved meta-features have no valid nDetectors / nReference');
    }
    const sorted = decodeArray(state.sorted, 'float64', 'meta-features sorted scores');
    if (sorted.length !== n * m) {
      throw new FormatError(
        `saved meta-features hold ${sorted.length} sorted scores, not ${n * m}`,
      );
    }
    const out = new MetaFeatures();
    out.mean_ = numbers(state.mean, m, 'mean');
    out.std_ = numbers(state.std, m, 'std');
    out.sorted_ = sorted;
    out.nDetectors_ = m;
    out.nReference_ = n;
    return out;
  }

  private rankOf(j: number, value: number): number {
    const n = this.nReference_;
    const sorted = this.sorted_!;
    // upper bound: first index whose score is greater than value
    let low = j * n;
    let high = low + n;
    const base = low;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sorted[mid] <= value) low = mid + 1;
      else high = mid;
    }
    return (low - base) / n;
  }

  private checkFitted(method: string): void {
    if (!this.sorted_) throw new NotFittedError('MetaFeatures', method);
  }
}

function numbers(value: unknown, length: number, name: string): Float64Array {
  if (
    !Array.isArray(value) ||
    value.length !== length ||
    !value.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw new FormatError(`saved meta-features ${name} must be ${length} finite numbers`);
  }
  return Float64Array.from(value);
}

/**
 * Fits {@link MetaFeatures} on `trainScores` and returns the meta-features of `scores`
 * (of `trainScores` itself when omitted), `[N, M, 3]` row-major.
 */
export function buildMetaFeatures(trainScores: MatrixInput, scores?: MatrixInput): Float32Array {
  const meta = new MetaFeatures().fit(trainScores);
  return meta.transform(scores ?? trainScores);
}
