/**
 * One-Class SVM: Schölkopf, Platt, Shawe-Taylor, Smola and Williamson, "Estimating the support
 * of a high-dimensional distribution" (Neural Computation, 2001). The exact mode solves the
 * ν-dual as libsvm does (see smo.ts) and so matches scikit-learn's `OneClassSVM`; the
 * approximate mode is scikit-learn's `Nystroem` followed by `SGDOneClassSVM` (see nystroem.ts
 * and sgd-one-class-svm.ts), folded back into a kernel expansion over the landmarks.
 */
import type { Logger, MatrixInput, SavedState } from '@decoders/core';
import {
  checkInteger,
  checkNumber,
  checkOneOf,
  decodeArray,
  encodeArray,
  FormatError,
  loadState,
  NotFittedError,
  Random,
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
import { fitNystroem, foldWeights, nystroemFeatures } from './nystroem.js';
import { fitSgdOneClass } from './sgd-one-class-svm.js';
import { solveOneClass } from './smo.js';
import {
  KERNEL_NAMES,
  type KernelName,
  type KernelSpec,
  kernelExpansion,
  rowSquaredNorms,
  type ScoringWorkers,
} from './svm-kernels.js';

/** How {@link OneClassSVM} is fitted. */
export type OneClassSVMMode = 'exact' | 'approximate' | 'auto';

/** Options of {@link OneClassSVM}. */
export interface OneClassSVMOptions {
  /** Kernel: `'rbf'`, `'linear'`, `'poly'` or `'sigmoid'`. Default `'rbf'`. */
  kernel?: KernelName;
  /** ν in (0, 1]: upper bound on the training outlier fraction, lower bound on the support-vector fraction. Default 0.5. */
  nu?: number;
  /** Kernel coefficient: `'scale'` = 1/(nFeatures · variance of all of X), `'auto'` = 1/nFeatures, or a number > 0. Default `'scale'`. */
  gamma?: 'scale' | 'auto' | number;
  /** Degree of the `'poly'` kernel, an integer ≥ 0. Default 3. */
  degree?: number;
  /** Constant term of the `'poly'` and `'sigmoid'` kernels. Default 0. */
  coef0?: number;
  /** Stopping tolerance of the exact solver (libsvm's `eps`). Default 1e-3. */
  tol?: number;
  /** Kernel cache of the exact solver, in megabytes. Default 200 (as scikit-learn). */
  cacheSize?: number;
  /** Use libsvm's shrinking heuristic in the exact solver. Default `true`. */
  shrinking?: boolean;
  /** `'auto'` (the model's own boundary: decision < 0) or the rate of anomalies in (0, 0.5]. Default `'auto'`. */
  contamination?: Contamination;
  /**
   * `'exact'` (libsvm's solver), `'approximate'` (Nyström + SGD) or `'auto'`: exact up to
   * `approximateAbove` training rows, approximate above, with an info note to the logger.
   * Default `'auto'`.
   */
  mode?: OneClassSVMMode;
  /** Training rows above which `mode: 'auto'` switches to the approximate mode. Default 30000. */
  approximateAbove?: number;
  /** Nyström landmarks of the approximate mode (capped at the row count). Default 200. */
  nComponents?: number;
  /** SGD passes of the approximate mode; 0 picks max(5, min(50, ⌈10⁶ / rows⌉)). Default 0. */
  epochs?: number;
  /** Seed of the approximate mode's landmark draw and row order. Default 0. */
  seed?: number;
  /**
   * Worker threads for scoring: `'auto'` uses them in Node when rows × support vectors ×
   * columns exceeds 2e8, a number fixes how many (1 = this thread only). Results do not depend
   * on it. Default `'auto'`.
   */
  workers?: ScoringWorkers;
  /** Receives the mode note and solver warnings. Default: silent. */
  logger?: Logger;
}

interface ResolvedOptions {
  kernel: KernelName;
  nu: number;
  gamma: 'scale' | 'auto' | number;
  degree: number;
  coef0: number;
  tol: number;
  cacheSize: number;
  shrinking: boolean;
  contamination: Contamination;
  mode: OneClassSVMMode;
  approximateAbove: number;
  nComponents: number;
  epochs: number;
  seed: number;
  workers: ScoringWorkers;
}

interface Model {
  nFeatures: number;
  /** The mode actually used. */
  method: 'exact' | 'approximate';
  /** The resolved kernel coefficient. */
  gamma: number;
  /** Support vectors (exact) or Nyström landmarks (approximate), row-major. */
  vectors: Float64Array;
  /** Squared norms of `vectors`' rows. */
  norms: Float64Array;
  /** Dual coefficients αᵢ (exact) or the folded linear weights (approximate). */
  coefficients: Float64Array;
  /** Training-row index of each support vector (exact) or landmark (approximate). */
  indices: Int32Array;
  rho: number;
  threshold: number;
  /** SMO iterations (exact) or SGD passes (approximate). */
  iterations: number;
}

const FORMAT = 'decoders.one-class-svm';
const VERSION = 1;

/**
 * One-Class SVM anomaly detector. The decision function is Σ αᵢ K(xᵢ, x) − ρ as in libsvm and
 * scikit-learn (negative outside the learnt support); `scoreSamples` is −Σ αᵢ K(xᵢ, x), the
 * negation of scikit-learn's `score_samples`, so higher is more anomalous, and with
 * contamination `'auto'` the threshold is −ρ (the negation of scikit-learn's `offset_`).
 *
 * The exact solver's memory is the kernel cache plus O(n) and its time grows faster than
 * n²; above about 30,000 rows use the approximate mode (the default `mode: 'auto'` does).
 *
 * @example
 * const svm = new OneClassSVM({ nu: 0.05 }).fit(normalRows);
 * const scores = svm.scoreSamples(newRows); // higher = more anomalous
 * const flags = svm.predict(newRows); // 1 = outside the learnt support
 */
export class OneClassSVM implements Detector {
  private readonly options: ResolvedOptions;
  private readonly logger: Logger;
  private model: Model | undefined;

  constructor(options: OneClassSVMOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.options = resolveOptions(options);
  }

  /** Fits the model on the rows of `X` and sets the threshold. */
  fit(X: MatrixInput): this {
    const data = toDense(X, { name: 'X', dtype: 'float64' });
    const { rows, cols } = data;
    if (rows < 2) {
      throw new ValidationError(
        `X has ${rows} row: a one-class SVM needs at least 2 training rows`,
      );
    }
    const x = data.data as Float64Array;
    const spec = this.kernelSpec(resolveGamma(this.options.gamma, x, cols));
    const approximate =
      this.options.mode === 'approximate' ||
      (this.options.mode === 'auto' && rows > this.options.approximateAbove);
    if (this.options.mode === 'auto' && approximate) {
      this.logger.info?.(
        `one-class SVM: ${rows} rows is above approximateAbove (${this.options.approximateAbove}); ` +
          `fitting the approximate Nyström + SGD model (pass mode: 'exact' to force the exact solver)`,
        { rows, approximateAbove: this.options.approximateAbove },
      );
    }
    const model = approximate
      ? this.fitApproximate(x, rows, cols, spec)
      : this.fitExact(x, rows, cols, spec);

    if (this.options.contamination !== 'auto') {
      const scores = this.scoreDense(model, x, rows);
      model.threshold = thresholdForRate(scores, this.options.contamination);
    }
    this.model = model;
    return this;
  }

  /** −Σ αᵢ K(xᵢ, x) for each row: higher means more anomalous. */
  scoreSamples(X: MatrixInput): Float64Array {
    const model = this.fitted('scoreSamples()');
    const data = toDense(X, { name: 'X', dtype: 'float64', cols: model.nFeatures });
    return this.scoreDense(model, data.data as Float64Array, data.rows);
  }

  /** scikit-learn's `decision_function`: `threshold - score`, negative for an anomaly. */
  decisionFunction(X: MatrixInput): Float64Array {
    return decisionFromScores(this.scoreSamples(X), this.threshold);
  }

  /** 1 for rows scored above `threshold`, 0 otherwise. */
  predict(X: MatrixInput): Uint8Array {
    return predictFromScores(this.scoreSamples(X), this.threshold);
  }

  /** Scores above this are anomalies: −ρ for contamination `'auto'`, else set from the training scores. */
  get threshold(): number {
    return this.fitted('threshold').threshold;
  }

  /** Number of columns seen by `fit`. */
  get nFeatures(): number {
    return this.fitted('nFeatures').nFeatures;
  }

  /** ρ, scikit-learn's `offset_` (= −`intercept_`). */
  get offset(): number {
    return this.fitted('offset').rho;
  }

  /** The kernel coefficient used, with `'scale'` or `'auto'` resolved (scikit-learn's `_gamma`). */
  get gamma(): number {
    return this.fitted('gamma').gamma;
  }

  /** The mode actually used by `fit`. */
  get method(): 'exact' | 'approximate' {
    return this.fitted('method').method;
  }

  /** Number of support vectors (exact) or landmarks (approximate). */
  get nSupport(): number {
    return this.fitted('nSupport').coefficients.length;
  }

  /** Training-row index of each support vector (scikit-learn's `support_`), or of each landmark. */
  get supportIndices(): Int32Array {
    return this.fitted('supportIndices').indices.slice();
  }

  /** αᵢ of each support vector (scikit-learn's `dual_coef_`), or the approximate model's landmark weights. */
  get dualCoef(): Float64Array {
    return this.fitted('dualCoef').coefficients.slice();
  }

  /** The support vectors (or landmarks) as rows. */
  get supportVectors(): number[][] {
    const model = this.fitted('supportVectors');
    const out: number[][] = [];
    for (let i = 0; i < model.coefficients.length; i++) {
      out.push(Array.from(model.vectors.subarray(i * model.nFeatures, (i + 1) * model.nFeatures)));
    }
    return out;
  }

  /** SMO iterations (exact) or SGD passes (approximate) run by `fit`. */
  get iterations(): number {
    return this.fitted('iterations').iterations;
  }

  /** The fitted model in core's save format (`'decoders.one-class-svm'`). */
  toJSON(): SavedState {
    const model = this.fitted('toJSON()');
    return saveState(FORMAT, VERSION, {
      options: this.options,
      nFeatures: model.nFeatures,
      method: model.method,
      gamma: model.gamma,
      rho: model.rho,
      threshold: model.threshold,
      iterations: model.iterations,
      vectors: encodeArray(model.vectors),
      coefficients: encodeArray(model.coefficients),
      indices: encodeArray(model.indices),
    });
  }

  /**
   * Restores a model saved by {@link OneClassSVM.toJSON} (the object or its JSON text).
   * @throws FormatError when the saved state is corrupt, foreign or from a newer version.
   */
  static fromJSON(json: unknown): OneClassSVM {
    const state = loadState<Record<string, unknown>>(json, FORMAT, VERSION);
    let detector: OneClassSVM;
    try {
      detector = new OneClassSVM(state.options as OneClassSVMOptions);
    } catch (error) {
      throw new FormatError(`saved ${FORMAT} has invalid options: ${(error as Error).message}`);
    }
    const nFeatures = state.nFeatures;
    const vectors = decodeArray(state.vectors, 'float64', 'vectors');
    const coefficients = decodeArray(state.coefficients, 'float64', 'coefficients');
    const indices = decodeArray(state.indices, 'int32', 'indices');
    const numbers = [state.gamma, state.rho, state.threshold, state.iterations];
    if (
      typeof nFeatures !== 'number' ||
      !Number.isInteger(nFeatures) ||
      nFeatures < 1 ||
      (state.method !== 'exact' && state.method !== 'approximate') ||
      numbers.some((v) => typeof v !== 'number' || !Number.isFinite(v)) ||
      vectors.length !== coefficients.length * nFeatures ||
      indices.length !== coefficients.length
    ) {
      throw new FormatError(`saved ${FORMAT} has inconsistent fields: the file is corrupt`);
    }
    detector.model = {
      nFeatures,
      method: state.method,
      gamma: state.gamma as number,
      vectors,
      norms: rowSquaredNorms(vectors, coefficients.length, nFeatures),
      coefficients,
      indices,
      rho: state.rho as number,
      threshold: state.threshold as number,
      iterations: state.iterations as number,
    };
    return detector;
  }

  private kernelSpec(gamma: number): KernelSpec {
    const { kernel, degree, coef0 } = this.options;
    return { kernel, gamma, degree, coef0 };
  }

  private fitExact(x: Float64Array, rows: number, cols: number, spec: KernelSpec): Model {
    const { nu, tol, cacheSize, shrinking } = this.options;
    const solution = solveOneClass(x, rows, cols, spec, nu, {
      tol,
      cacheSize,
      shrinking,
      logger: this.logger,
    });
    let nSupport = 0;
    for (let i = 0; i < rows; i++) if (solution.alpha[i] > 0) nSupport++;
    const indices = new Int32Array(nSupport);
    const coefficients = new Float64Array(nSupport);
    const vectors = new Float64Array(nSupport * cols);
    let k = 0;
    for (let i = 0; i < rows; i++) {
      if (!(solution.alpha[i] > 0)) continue;
      indices[k] = i;
      coefficients[k] = solution.alpha[i];
      vectors.set(x.subarray(i * cols, (i + 1) * cols), k * cols);
      k++;
    }
    return {
      nFeatures: cols,
      method: 'exact',
      gamma: spec.gamma,
      vectors,
      norms: rowSquaredNorms(vectors, nSupport, cols),
      coefficients,
      indices,
      rho: solution.rho,
      threshold: -solution.rho,
      iterations: solution.iterations,
    };
  }

  /**
   * Nyström features, a linear one-class SVM by SGD, then the weights folded onto the
   * landmarks and rescaled by νn so that decision values are on the exact model's scale
   * (Σαᵢ = νn there). ρ is then set to its exact minimiser for the learnt weights: the
   * ⌈νn⌉-th smallest training value of Σ βⱼ K(lⱼ, x).
   */
  private fitApproximate(x: Float64Array, rows: number, cols: number, spec: KernelSpec): Model {
    const { nu, seed } = this.options;
    const random = new Random(seed);
    const m = Math.min(this.options.nComponents, rows);
    const map = fitNystroem(x, rows, cols, spec, m, random.fork());
    const features = nystroemFeatures(map, x, rows, spec);
    const epochs =
      this.options.epochs > 0
        ? this.options.epochs
        : Math.max(5, Math.min(50, Math.ceil(1_000_000 / rows)));
    const linear = fitSgdOneClass(features, rows, m, { nu, epochs, random: random.fork() });
    const coefficients = foldWeights(map, linear.weights);
    for (let j = 0; j < m; j++) coefficients[j] *= nu * rows;

    const model: Model = {
      nFeatures: cols,
      method: 'approximate',
      gamma: spec.gamma,
      vectors: map.landmarks,
      norms: map.landmarkNorms,
      coefficients,
      indices: Int32Array.from(map.indices),
      rho: 0,
      threshold: 0,
      iterations: epochs,
    };
    const expansion = kernelExpansion(
      spec,
      x,
      rows,
      model.vectors,
      model.norms,
      coefficients,
      cols,
      this.options.workers,
    ).sort();
    model.rho = expansion[Math.max(0, Math.ceil(nu * rows) - 1)];
    model.threshold = -model.rho;
    return model;
  }

  private scoreDense(model: Model, x: Float64Array, rows: number): Float64Array {
    const spec = this.kernelSpec(model.gamma);
    const out = kernelExpansion(
      spec,
      x,
      rows,
      model.vectors,
      model.norms,
      model.coefficients,
      model.nFeatures,
      this.options.workers,
    );
    for (let i = 0; i < rows; i++) out[i] = -out[i];
    return out;
  }

  private fitted(what: string): Model {
    if (!this.model) throw new NotFittedError('OneClassSVM', what);
    return this.model;
  }
}

/**
 * scikit-learn's γ: `'scale'` is 1/(nFeatures · Var(X)) over every value of X (1 when X is
 * constant), `'auto'` is 1/nFeatures.
 */
export function resolveGamma(gamma: 'scale' | 'auto' | number, x: Float64Array, cols: number) {
  if (typeof gamma === 'number') return gamma;
  if (gamma === 'auto') return 1 / cols;
  let mean = 0;
  for (let k = 0; k < x.length; k++) mean += x[k];
  mean /= x.length;
  let variance = 0;
  for (let k = 0; k < x.length; k++) variance += (x[k] - mean) ** 2;
  variance /= x.length;
  return variance === 0 ? 1 : 1 / (cols * variance);
}

function resolveOptions(options: OneClassSVMOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('OneClassSVM options must be an object');
  }
  const kernel = checkOneOf('kernel', options.kernel ?? 'rbf', KERNEL_NAMES);
  const nu = checkNumber('nu', options.nu ?? 0.5, { min: 0, minExclusive: true, max: 1 });
  const gammaOption = options.gamma ?? 'scale';
  const gamma =
    typeof gammaOption === 'number'
      ? checkNumber('gamma', gammaOption, { min: 0, minExclusive: true })
      : checkOneOf('gamma', gammaOption, ['scale', 'auto'] as const);
  return {
    kernel,
    nu,
    gamma,
    degree: checkInteger('degree', options.degree ?? 3, { min: 0 }),
    coef0: checkNumber('coef0', options.coef0 ?? 0),
    tol: checkNumber('tol', options.tol ?? 1e-3, { min: 0, minExclusive: true }),
    cacheSize: checkNumber('cacheSize', options.cacheSize ?? 200, { min: 0, minExclusive: true }),
    shrinking: checkBoolean('shrinking', options.shrinking ?? true),
    contamination: checkContamination(options.contamination ?? 'auto'),
    mode: checkOneOf('mode', options.mode ?? 'auto', ['exact', 'approximate', 'auto'] as const),
    approximateAbove: checkInteger('approximateAbove', options.approximateAbove ?? 30_000, {
      min: 2,
    }),
    nComponents: checkInteger('nComponents', options.nComponents ?? 200, { min: 1 }),
    epochs: checkInteger('epochs', options.epochs ?? 0, { min: 0 }),
    seed: checkInteger('seed', options.seed ?? 0),
    workers: checkWorkers(options.workers ?? 'auto'),
  };
}

function checkWorkers(value: unknown): ScoringWorkers {
  if (value === 'auto') return value;
  return checkInteger('workers', value, { min: 1 });
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ValidationError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}
