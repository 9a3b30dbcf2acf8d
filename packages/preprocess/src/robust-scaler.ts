/**
 * Median / interquantile-range scaling, as scikit-learn's RobustScaler: quantiles use numpy's
 * default linear interpolation, missing values (NaN) are ignored when fitting and passed through
 * when transforming.
 */
import {
  checkNumber,
  type DenseMatrix,
  denseMatrix,
  FormatError,
  loadState,
  type MatrixInput,
  NotFittedError,
  saveState,
  toDense,
  ValidationError,
} from '@decoders/core';
import { normalQuantile } from './inverse-normal.js';
import { orderStatistics } from './select.js';

/** Options of {@link RobustScaler}. */
export interface RobustScalerOptions {
  /** Subtract the median. Default `true`. */
  withCentering?: boolean;
  /** Divide by the interquantile range. Default `true`. */
  withScaling?: boolean;
  /** Lower and upper percentiles of the range, in [0, 100]. Default `[25, 75]`. */
  quantileRange?: readonly [number, number];
  /** Divide by the standard normal's range: normal data gets unit variance. Default `false`. */
  unitVariance?: boolean;
}

interface ResolvedOptions {
  withCentering: boolean;
  withScaling: boolean;
  quantileRange: [number, number];
  unitVariance: boolean;
}

/** A range below this (numpy's float64 eps times 10) counts as zero and is replaced by 1. */
const ZERO_RANGE = 10 * Number.EPSILON;
const FORMAT = 'decoders.robust-scaler';
const VERSION = 1;

/**
 * Centres each column on its median and divides by its interquantile range.
 *
 * @example
 * const scaler = new RobustScaler().fit([[1], [2], [10]]);
 * scaler.transform([[2]]).data; // Float64Array [0]
 */
export class RobustScaler {
  /** The resolved options. */
  readonly options: Readonly<ResolvedOptions>;
  private centerValues: Float64Array | null = null;
  private scaleValues: Float64Array | null = null;

  constructor(options: RobustScalerOptions = {}) {
    this.options = resolveOptions(options);
  }

  /** Per-column value subtracted (the median, or 0 without centering). */
  get center(): Float64Array {
    if (this.centerValues === null) throw new NotFittedError('RobustScaler', 'center');
    return this.centerValues.slice();
  }

  /** Per-column divisor (the range, or 1 without scaling). */
  get scale(): Float64Array {
    if (this.scaleValues === null) throw new NotFittedError('RobustScaler', 'scale');
    return this.scaleValues.slice();
  }

  /** Number of columns seen by `fit`. */
  get nFeatures(): number {
    if (this.centerValues === null) throw new NotFittedError('RobustScaler', 'nFeatures');
    return this.centerValues.length;
  }

  /**
   * Learns medians and ranges; NaN cells are ignored.
   * @throws ValidationError when a column has no present value, or on infinite values.
   */
  fit(X: MatrixInput): this {
    const m = toDense(X, { name: 'X', dtype: 'float64', allowNaN: true });
    const { withCentering, withScaling, quantileRange, unitVariance } = this.options;
    const center = new Float64Array(m.cols);
    const scale = new Float64Array(m.cols).fill(1);
    const column = new Float64Array(m.rows);
    for (let j = 0; j < m.cols; j++) {
      let n = 0;
      for (let i = 0; i < m.rows; i++) {
        const v = m.data[i * m.cols + j];
        if (!Number.isNaN(v)) column[n++] = v;
      }
      if (n === 0) {
        throw new ValidationError(
          `X column ${j} has only missing values: drop it or fill it before fitting`,
        );
      }
      const present = column.subarray(0, n);
      const [low, high, middle] = quantiles(present, [
        quantileRange[0] / 100,
        quantileRange[1] / 100,
      ]);
      if (withCentering) center[j] = middle;
      if (withScaling) {
        const range = high - low;
        scale[j] = range < ZERO_RANGE ? 1 : range;
      }
    }
    if (withScaling && unitVariance) {
      const adjust =
        normalQuantile(quantileRange[1] / 100) - normalQuantile(quantileRange[0] / 100);
      for (let j = 0; j < m.cols; j++) scale[j] = scale[j] / adjust;
    }
    this.centerValues = center;
    this.scaleValues = scale;
    return this;
  }

  /** Returns `(x - center) / scale` for every cell; NaN stays NaN. */
  transform(X: MatrixInput): DenseMatrix<Float64Array> {
    if (this.centerValues === null || this.scaleValues === null) {
      throw new NotFittedError('RobustScaler', 'transform()');
    }
    const m = toDense(X, {
      name: 'X',
      dtype: 'float64',
      allowNaN: true,
      allowEmpty: true,
      cols: this.centerValues.length,
    });
    const out = new Float64Array(m.rows * m.cols);
    const center = this.centerValues;
    const scale = this.scaleValues;
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) {
        const k = i * m.cols + j;
        out[k] = (m.data[k] - center[j]) / scale[j];
      }
    }
    return denseMatrix(out, m.rows, m.cols);
  }

  /** `fit(X)` then `transform(X)`. */
  fitTransform(X: MatrixInput): DenseMatrix<Float64Array> {
    return this.fit(X).transform(X);
  }

  /** Saved state: options, centers and scales. */
  toJSON() {
    if (this.centerValues === null || this.scaleValues === null) {
      throw new NotFittedError('RobustScaler', 'toJSON()');
    }
    return saveState(FORMAT, VERSION, {
      options: { ...this.options },
      center: Array.from(this.centerValues),
      scale: Array.from(this.scaleValues),
    });
  }

  /** Restores a scaler saved by `toJSON()`. @throws FormatError on corrupt or foreign input. */
  static fromJSON(json: unknown): RobustScaler {
    const state = loadState<{ options: RobustScalerOptions; center: unknown; scale: unknown }>(
      json,
      FORMAT,
      VERSION,
    );
    let scaler: RobustScaler;
    try {
      scaler = new RobustScaler(state.options);
    } catch (error) {
      throw new FormatError(`saved ${FORMAT} has invalid options: ${(error as Error).message}`);
    }
    const center = numberArray(state.center, 'center');
    const scale = numberArray(state.scale, 'scale');
    if (center.length !== scale.length || scale.some((s) => !(s > 0 || s < 0))) {
      throw new FormatError(`saved ${FORMAT} has mismatched or zero scales: the file is corrupt`);
    }
    scaler.centerValues = Float64Array.from(center);
    scaler.scaleValues = Float64Array.from(scale);
    return scaler;
  }
}

function numberArray(value: unknown, name: string): number[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new FormatError(`saved ${FORMAT} ${name} must be an array of finite numbers`);
  }
  return value as number[];
}

function resolveOptions(options: RobustScalerOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('RobustScaler options must be an object');
  }
  const range = options.quantileRange ?? [25, 75];
  if (!Array.isArray(range) || range.length !== 2) {
    throw new ValidationError(
      `quantileRange must be [low, high] percentiles, got ${JSON.stringify(range)}`,
    );
  }
  const low = checkNumber('quantileRange[0]', range[0], { min: 0, max: 100 });
  const high = checkNumber('quantileRange[1]', range[1], { min: 0, max: 100 });
  if (!(low < high)) {
    throw new ValidationError(`quantileRange must have low < high, got [${low}, ${high}]`);
  }
  return {
    withCentering: flag('withCentering', options.withCentering, true),
    withScaling: flag('withScaling', options.withScaling, true),
    quantileRange: [low, high],
    unitVariance: flag('unitVariance', options.unitVariance, false),
  };
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new ValidationError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The given quantiles (fractions in [0, 1]) of NaN-free values, then their median, by numpy's
 * default ('linear') method: virtual index `n*q + (1 - q) - 1` and numpy's two-sided
 * interpolation, so results match it bit for bit. Reorders `values`: pass a scratch copy.
 */
export function quantiles(values: Float64Array, qs: readonly number[]): number[] {
  const n = values.length;
  const ranks: number[] = [];
  const gammas = qs.map((q) => {
    const virtual = n * q + (1 + q * -1) - 1;
    const below = Math.min(Math.max(Math.floor(virtual), 0), n - 1);
    ranks.push(below, Math.min(below + 1, n - 1));
    return virtual - Math.floor(virtual);
  });
  const half = n >> 1;
  ranks.push(n % 2 === 1 ? half : half - 1, half);
  const at = orderStatistics(values, ranks);
  const out = gammas.map((gamma, k) => {
    const a = at[2 * k];
    const b = at[2 * k + 1];
    const diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
  });
  const m = at.length - 2;
  out.push(n % 2 === 1 ? at[m + 1] : (at[m] + at[m + 1]) / 2);
  return out;
}

/** Median of NaN-free values (the mean of the two middle ones for an even count). */
export function median(values: ArrayLike<number>): number {
  return quantiles(Float64Array.from(values), [])[0];
}
