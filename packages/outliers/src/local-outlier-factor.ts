/**
 * Local Outlier Factor: Breunig, Kriegel, Ng and Sander, "LOF: Identifying Density-Based Local
 * Outliers" (SIGMOD 2000), computed as scikit-learn computes it: exact neighbours, training rows
 * not their own neighbours, reachability density 1 / (mean reach-distance + 1e-10) so that exact
 * duplicates give a large finite density instead of a division by zero.
 */
import type { Logger, MatrixInput, SavedState } from '@decoders/core';
import {
  checkInteger,
  checkOneOf,
  decodeArray,
  encodeArray,
  FormatError,
  loadState,
  NotFittedError,
  saveState,
  silentLogger,
  toDense,
  ValidationError,
} from '@decoders/core';
import {
  type Contamination,
  checkContamination,
  type Detector,
  decisionFromScores,
  predictFromScores,
  thresholdForRate,
} from './detector.js';
import {
  buildEuclideanIndex,
  type EuclideanIndex,
  NEIGHBOR_METRICS,
  type NeighborMetric,
} from './neighbors.js';
import { findNeighbors, type WorkersOption } from './parallel.js';

/** Options of {@link LocalOutlierFactor}. */
export interface LocalOutlierFactorOptions {
  /** Neighbours per row; clamped to n - 1 (with a warning) when the training set is smaller. Default 20. */
  nNeighbors?: number;
  /**
   * Fit once, then score new rows (`true`), or only score the training rows (`false`, outlier
   * mode, where scoring other rows throws). Default `false`, as in scikit-learn.
   */
  novelty?: boolean;
  /** Distance between rows: `'euclidean'` or another dissimilarity of `ml-distance`. Default `'euclidean'`. */
  metric?: NeighborMetric;
  /** `'auto'` (threshold 1.5, a local outlier factor above 1.5) or the rate of anomalies in (0, 0.5]. Default `'auto'`. */
  contamination?: Contamination;
  /**
   * Worker threads for the euclidean neighbour search: `'auto'` uses them in Node when the work
   * is large (more than 1e8 query × training row pairs), a number fixes how many (1 = this
   * thread only). Results do not depend on it. Default `'auto'`.
   */
  workers?: WorkersOption;
  /** Receives warnings (e.g. nNeighbors clamped). Default: silent. */
  logger?: Logger;
}

interface ResolvedOptions {
  nNeighbors: number;
  novelty: boolean;
  metric: NeighborMetric;
  contamination: Contamination;
  workers: WorkersOption;
}

interface Fitted {
  nFeatures: number;
  nRows: number;
  /** Neighbours actually used: min(nNeighbors, n - 1). */
  k: number;
  threshold: number;
  /** scikit-learn's `negative_outlier_factor_` of the training rows. */
  negativeOutlierFactor: Float64Array;
  /** Fingerprint of the training rows, to recognise them when scored in outlier mode. */
  fingerprint: string;
  /** Novelty mode only: training rows, their k-distance and reachability density. */
  train?: Float64Array;
  kDistance?: Float64Array;
  density?: Float64Array;
}

const FORMAT = 'decoders.local-outlier-factor';
const VERSION = 1;
const DENSITY_EPSILON = 1e-10;

/**
 * Local Outlier Factor detector. The score of a row is its local outlier factor (about 1 inside a
 * cluster, larger when the row is less dense than its neighbours): higher is more anomalous, the
 * negation of scikit-learn's `score_samples`.
 *
 * In outlier mode (`novelty: false`, the default) the detector describes its training rows only:
 * `scoreSamples`, `predict` and `decisionFunction` accept exactly the rows given to `fit` and
 * throw a {@link ValidationError} for any other rows. Use `novelty: true` to score new rows.
 *
 * @example
 * const lof = new LocalOutlierFactor({ nNeighbors: 20, novelty: true }).fit(trainRows);
 * const scores = lof.scoreSamples(newRows); // higher = more anomalous
 */
export class LocalOutlierFactor implements Detector {
  private readonly options: ResolvedOptions;
  private readonly logger: Logger;
  private state: Fitted | undefined;
  /** Search structure over the training rows (euclidean only); rebuilt after loading. */
  private index: EuclideanIndex | undefined;

  constructor(options: LocalOutlierFactorOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.options = resolveOptions(options);
  }

  /** Finds every training row's neighbours and local outlier factor, and sets the threshold. */
  fit(X: MatrixInput): this {
    const dense = toDense(X, { name: 'X', dtype: 'float64' });
    const { rows, cols } = dense;
    if (rows < 2) {
      throw new ValidationError(
        `X has ${rows} row: LocalOutlierFactor needs at least 2 rows to find neighbours`,
      );
    }
    const k = Math.min(this.options.nNeighbors, rows - 1);
    if (k < this.options.nNeighbors) {
      this.logger.warn?.(
        `nNeighbors (${this.options.nNeighbors}) is not less than the number of rows (${rows}): using ${k}`,
        { nNeighbors: this.options.nNeighbors, rows, used: k },
      );
    }
    const train = Float64Array.from(dense.data);
    const index =
      this.options.metric === 'euclidean' ? buildEuclideanIndex(train, rows, cols) : undefined;

    const neighbors = findNeighbors(
      { train, trainRows: rows, cols, query: train, start: 0, end: rows, k, index },
      this.options.metric,
      true,
      this.options.workers,
    );
    const kDistance = new Float64Array(rows);
    for (let i = 0; i < rows; i++) kDistance[i] = neighbors.distances[i * k + k - 1];
    const density = reachabilityDensity(neighbors.distances, neighbors.indices, kDistance, k);
    const negativeOutlierFactor = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      negativeOutlierFactor[i] = -meanRatio(density, neighbors.indices, i * k, k, density[i]);
    }

    const scores = negate(negativeOutlierFactor);
    const { contamination, novelty } = this.options;
    this.state = {
      nFeatures: cols,
      nRows: rows,
      k,
      threshold: contamination === 'auto' ? 1.5 : thresholdForRate(scores, contamination),
      negativeOutlierFactor,
      fingerprint: fingerprint(train),
      ...(novelty ? { train, kDistance, density } : {}),
    };
    this.index = novelty ? index : undefined;
    return this;
  }

  /** Fits on `X` and returns its labels: 1 for an anomaly, 0 otherwise (outlier mode's main use). */
  fitPredict(X: MatrixInput): Uint8Array {
    this.fit(X);
    return predictFromScores(this.trainingScores, this.threshold);
  }

  /**
   * Local outlier factor of each row; higher means more anomalous. In novelty mode any rows; in
   * outlier mode only the training rows themselves.
   * @throws ValidationError in outlier mode for rows other than the training rows.
   */
  scoreSamples(X: MatrixInput): Float64Array {
    const state = this.fitted('scoreSamples()');
    const dense = toDense(X, { name: 'X', dtype: 'float64', cols: state.nFeatures });
    const data = dense.data instanceof Float64Array ? dense.data : Float64Array.from(dense.data);
    if (!this.options.novelty) {
      if (dense.rows === state.nRows && fingerprint(data) === state.fingerprint) {
        return negate(state.negativeOutlierFactor);
      }
      throw new ValidationError(
        'scoreSamples() on new rows needs novelty mode: construct LocalOutlierFactor with ' +
          '{ novelty: true }, or use trainingScores / fitPredict() for the training rows',
      );
    }
    return this.scoreNew(state, data, dense.rows);
  }

  /** scikit-learn's `decision_function`: `threshold - score`, negative for an anomaly. */
  decisionFunction(X: MatrixInput): Float64Array {
    return decisionFromScores(this.scoreSamples(X), this.threshold);
  }

  /** 1 for rows scored above `threshold`, 0 otherwise. */
  predict(X: MatrixInput): Uint8Array {
    return predictFromScores(this.scoreSamples(X), this.threshold);
  }

  /** Scores above this are anomalies: 1.5 for contamination `'auto'`, else set from the training scores. */
  get threshold(): number {
    return this.fitted('threshold').threshold;
  }

  /** Number of columns seen by `fit`. */
  get nFeatures(): number {
    return this.fitted('nFeatures').nFeatures;
  }

  /** Neighbours actually used (scikit-learn's `n_neighbors_`). */
  get nNeighborsUsed(): number {
    return this.fitted('nNeighborsUsed').k;
  }

  /** scikit-learn's `negative_outlier_factor_` for the training rows (a copy; lower = more anomalous). */
  get negativeOutlierFactor(): Float64Array {
    return this.fitted('negativeOutlierFactor').negativeOutlierFactor.slice();
  }

  /** Scores of the training rows in this package's convention (the local outlier factor). */
  get trainingScores(): Float64Array {
    return negate(this.fitted('trainingScores').negativeOutlierFactor);
  }

  /** The fitted state in core's save format (`'decoders.local-outlier-factor'`). */
  toJSON(): SavedState {
    const state = this.fitted('toJSON()');
    return saveState(FORMAT, VERSION, {
      options: {
        nNeighbors: this.options.nNeighbors,
        novelty: this.options.novelty,
        metric: this.options.metric,
        contamination: this.options.contamination,
        workers: this.options.workers,
      },
      nFeatures: state.nFeatures,
      nRows: state.nRows,
      k: state.k,
      threshold: state.threshold,
      fingerprint: state.fingerprint,
      negativeOutlierFactor: encodeArray(state.negativeOutlierFactor),
      ...(state.train
        ? {
            train: encodeArray(state.train),
            kDistance: encodeArray(state.kDistance!),
            density: encodeArray(state.density!),
          }
        : {}),
    });
  }

  /**
   * Restores a detector saved by {@link LocalOutlierFactor.toJSON} (the object or its JSON text).
   * @throws FormatError when the saved state is corrupt, foreign or from a newer version.
   */
  static fromJSON(json: unknown): LocalOutlierFactor {
    const saved = loadState<Record<string, unknown>>(json, FORMAT, VERSION);
    let detector: LocalOutlierFactor;
    try {
      detector = new LocalOutlierFactor(saved.options as LocalOutlierFactorOptions);
    } catch (error) {
      throw new FormatError(`saved ${FORMAT} has invalid options: ${(error as Error).message}`);
    }
    const state: Fitted = {
      nFeatures: saved.nFeatures as number,
      nRows: saved.nRows as number,
      k: saved.k as number,
      threshold: saved.threshold as number,
      fingerprint: saved.fingerprint as string,
      negativeOutlierFactor: decodeArray(saved.negativeOutlierFactor, 'float64', 'nof'),
    };
    if (detector.options.novelty) {
      state.train = decodeArray(saved.train, 'float64', 'train');
      state.kDistance = decodeArray(saved.kDistance, 'float64', 'kDistance');
      state.density = decodeArray(saved.density, 'float64', 'density');
    }
    checkState(state);
    detector.state = state;
    return detector;
  }

  private scoreNew(state: Fitted, query: Float64Array, rows: number): Float64Array {
    const { k, nRows, nFeatures } = state;
    const train = state.train!;
    if (this.options.metric === 'euclidean') {
      this.index ??= buildEuclideanIndex(train, nRows, nFeatures);
    }
    const neighbors = findNeighbors(
      {
        train,
        trainRows: nRows,
        cols: nFeatures,
        query,
        start: 0,
        end: rows,
        k,
        index: this.index,
      },
      this.options.metric,
      false,
      this.options.workers,
    );
    const density = reachabilityDensity(
      neighbors.distances,
      neighbors.indices,
      state.kDistance!,
      k,
    );
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      out[i] = meanRatio(state.density!, neighbors.indices, i * k, k, density[i]);
    }
    return out;
  }

  private fitted(what: string): Fitted {
    if (!this.state) throw new NotFittedError('LocalOutlierFactor', what);
    return this.state;
  }
}

/** 1 / (mean over the k neighbours of max(distance, neighbour's k-distance) + 1e-10), per row. */
function reachabilityDensity(
  distances: Float64Array,
  indices: Int32Array,
  kDistance: Float64Array,
  k: number,
): Float64Array {
  const rows = distances.length / k;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let m = i * k; m < (i + 1) * k; m++) {
      sum += Math.max(distances[m], kDistance[indices[m]]);
    }
    out[i] = 1 / (sum / k + DENSITY_EPSILON);
  }
  return out;
}

/** Mean of density[neighbour] / own over the k neighbours starting at `offset`. */
function meanRatio(
  density: Float64Array,
  indices: Int32Array,
  offset: number,
  k: number,
  own: number,
): number {
  let sum = 0;
  for (let m = offset; m < offset + k; m++) sum += density[indices[m]] / own;
  return sum / k;
}

function negate(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = -values[i];
  return out;
}

/** A 64-bit FNV-1a hash of the rows' bytes, as hex: recognises the training rows cheaply. */
function fingerprint(data: Float64Array): string {
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    h1 = Math.imul(h1 ^ w, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ (w >>> 16) ^ (h1 >>> 11), 0x01000193) >>> 0;
  }
  return `${data.length}:${h1.toString(16)}${h2.toString(16)}`;
}

function resolveOptions(options: LocalOutlierFactorOptions): ResolvedOptions {
  const nNeighbors = checkInteger('nNeighbors', options.nNeighbors ?? 20, { min: 1 });
  const novelty = options.novelty ?? false;
  if (typeof novelty !== 'boolean') {
    throw new ValidationError(`novelty must be true or false, got ${String(novelty)}`);
  }
  const metric = checkOneOf('metric', options.metric ?? 'euclidean', NEIGHBOR_METRICS);
  const contamination = checkContamination(options.contamination ?? 'auto');
  const workers = options.workers ?? 'auto';
  if (workers !== 'auto') checkInteger('workers', workers, { min: 1, max: 64 });
  return { nNeighbors, novelty, metric, contamination, workers };
}

/** Checks a loaded state's shapes so that scoring cannot read outside its arrays. */
function checkState(state: Fitted): void {
  const bad = (why: string) => new FormatError(`saved ${FORMAT} is inconsistent: ${why}`);
  const { nFeatures, nRows, k } = state;
  for (const [name, v] of Object.entries({ nFeatures, nRows, k })) {
    if (!Number.isInteger(v) || v < 1) throw bad(`${name} is not a positive integer`);
  }
  if (k >= nRows) throw bad(`k (${k}) is not less than the ${nRows} training rows`);
  if (typeof state.threshold !== 'number' || !Number.isFinite(state.threshold)) {
    throw bad('threshold is not a finite number');
  }
  if (typeof state.fingerprint !== 'string') throw bad('fingerprint is missing');
  if (state.negativeOutlierFactor.length !== nRows) throw bad('nof length differs from nRows');
  if (state.train) {
    if (state.train.length !== nRows * nFeatures) throw bad('training rows have the wrong size');
    if (state.kDistance!.length !== nRows || state.density!.length !== nRows) {
      throw bad('kDistance or density length differs from nRows');
    }
  }
}
