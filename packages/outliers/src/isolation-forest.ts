/**
 * Isolation Forest: Liu, Ting and Zhou, "Isolation Forest" (ICDM 2008), with scikit-learn's
 * details (random feature and uniform threshold per node, depth limit ceil(log2(maxSamples)),
 * path length plus c(size of the leaf), features closer than 1e-7 treated as constant).
 */
import type { Logger, MatrixInput, SavedState } from '@decoders/core';
import {
  checkInteger,
  checkNumber,
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

/** Options of {@link IsolationForest}. */
export interface IsolationForestOptions {
  /** Number of trees. Default 100. */
  nEstimators?: number;
  /**
   * Rows drawn to grow each tree: `'auto'` for min(256, n), an integer count above 1 (capped at
   * n with a warning), or a fraction of n in (0, 1]. Default `'auto'`.
   */
  maxSamples?: 'auto' | number;
  /**
   * Features each tree may split on, drawn per tree: a fraction in (0, 1] (so 1 means all) or an
   * integer count above 1. Default 1 (all features).
   */
  maxFeatures?: number;
  /** Draw each tree's rows with replacement. Default `false`. */
  bootstrap?: boolean;
  /** `'auto'` (threshold 0.5, as in the paper) or the rate of anomalies in (0, 0.5]. Default `'auto'`. */
  contamination?: Contamination;
  /** Seed of the random draws; the same seed gives the same forest. Default 0. */
  seed?: number;
  /** Receives warnings (e.g. maxSamples capped). Default: silent. */
  logger?: Logger;
}

interface ResolvedOptions {
  nEstimators: number;
  maxSamples: 'auto' | number;
  maxFeatures: number;
  bootstrap: boolean;
  contamination: Contamination;
  seed: number;
}

interface Forest {
  nFeatures: number;
  /** Rows each tree was grown from; the depth normaliser is c(samplesPerTree). */
  samplesPerTree: number;
  threshold: number;
  /** Index of each tree's root node. */
  roots: Int32Array;
  /** Split feature of each node, or -1 for a leaf. */
  feature: Int32Array;
  /** Split threshold of an inner node; path length (depth + c(leaf size)) of a leaf. */
  value: Float64Array;
  /** Index of an inner node's left child; the right child follows it. */
  left: Int32Array;
}

const FORMAT = 'decoders.isolation-forest';
const VERSION = 1;
const EULER_GAMMA = 0.5772156649015329;
/** scikit-learn treats a feature whose range in a node is at most this as constant. */
const CONSTANT_RANGE = 1e-7;

/**
 * The average path length of an unsuccessful search in a binary search tree of `n` points,
 * c(n) of the paper, as scikit-learn computes it: 0 for n <= 1, 1 for n = 2.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n <= 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * Isolation Forest anomaly detector. Scores are 2^(-mean path length / c(maxSamples)) in
 * (0, 1]: higher is more anomalous, the negation of scikit-learn's `score_samples`.
 *
 * @example
 * const forest = new IsolationForest({ seed: 1 }).fit(trainRows);
 * const scores = forest.scoreSamples(newRows); // higher = more anomalous
 * const flags = forest.predict(newRows); // 1 = anomaly
 */
export class IsolationForest implements Detector {
  private readonly options: ResolvedOptions;
  private readonly logger: Logger;
  private forest: Forest | undefined;

  constructor(options: IsolationForestOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.options = resolveOptions(options);
  }

  /** Grows the forest on the rows of `X` and sets the threshold. */
  fit(X: MatrixInput): this {
    const data = toDense(X, { name: 'X', dtype: 'float64' });
    const { rows, cols } = data;
    const samplesPerTree = this.resolveMaxSamples(rows);
    const featuresPerTree = resolveMaxFeatures(this.options.maxFeatures, cols);
    const maxDepth = Math.ceil(Math.log2(Math.max(samplesPerTree, 2)));

    const nodesPerTree = 2 * samplesPerTree - 1;
    const capacity = this.options.nEstimators * nodesPerTree;
    const feature = new Int32Array(capacity);
    const value = new Float64Array(capacity);
    const left = new Int32Array(capacity);
    const roots = new Int32Array(this.options.nEstimators);
    const random = new Random(this.options.seed);
    const builder = new TreeBuilder(
      data.data as Float64Array,
      cols,
      maxDepth,
      feature,
      value,
      left,
    );

    let used = 0;
    for (let t = 0; t < this.options.nEstimators; t++) {
      const treeRandom = random.fork();
      const features =
        featuresPerTree === cols
          ? Int32Array.from({ length: cols }, (_, j) => j)
          : Int32Array.from(treeRandom.sample(cols, featuresPerTree));
      const samples = this.options.bootstrap
        ? distinctDraws(treeRandom, rows, samplesPerTree)
        : Int32Array.from(treeRandom.sample(rows, samplesPerTree));
      roots[t] = used;
      used = builder.grow(samples, features, treeRandom, used);
    }

    this.forest = {
      nFeatures: cols,
      samplesPerTree,
      threshold: 0.5,
      roots,
      feature: feature.slice(0, used),
      value: value.slice(0, used),
      left: left.slice(0, used),
    };
    if (this.options.contamination !== 'auto') {
      const scores = this.scoreDense(data.data as Float64Array, rows);
      this.forest.threshold = thresholdForRate(scores, this.options.contamination);
    }
    return this;
  }

  /** Anomaly score of each row, in (0, 1]; higher means more anomalous. */
  scoreSamples(X: MatrixInput): Float64Array {
    const forest = this.fitted('scoreSamples()');
    const data = toDense(X, { name: 'X', dtype: 'float64', cols: forest.nFeatures });
    return this.scoreDense(data.data as Float64Array, data.rows);
  }

  /** scikit-learn's `decision_function`: `threshold - score`, negative for an anomaly. */
  decisionFunction(X: MatrixInput): Float64Array {
    return decisionFromScores(this.scoreSamples(X), this.threshold);
  }

  /** 1 for rows scored above `threshold`, 0 otherwise. */
  predict(X: MatrixInput): Uint8Array {
    return predictFromScores(this.scoreSamples(X), this.threshold);
  }

  /** Scores above this are anomalies: 0.5 for contamination `'auto'`, else set from the training scores. */
  get threshold(): number {
    return this.fitted('threshold').threshold;
  }

  /** Number of columns seen by `fit`. */
  get nFeatures(): number {
    return this.fitted('nFeatures').nFeatures;
  }

  /** Rows each tree was grown from (scikit-learn's `max_samples_`). */
  get maxSamplesUsed(): number {
    return this.fitted('maxSamplesUsed').samplesPerTree;
  }

  /** Number of nodes over all trees. */
  get nodeCount(): number {
    return this.fitted('nodeCount').feature.length;
  }

  /** The fitted forest in core's save format (`'decoders.isolation-forest'`). */
  toJSON(): SavedState {
    const forest = this.fitted('toJSON()');
    return saveState(FORMAT, VERSION, {
      options: this.options,
      nFeatures: forest.nFeatures,
      samplesPerTree: forest.samplesPerTree,
      threshold: forest.threshold,
      roots: encodeArray(forest.roots),
      feature: encodeArray(forest.feature),
      value: encodeArray(forest.value),
      left: encodeArray(forest.left),
    });
  }

  /**
   * Restores a forest saved by {@link IsolationForest.toJSON} (the object or its JSON text).
   * @throws FormatError when the saved state is corrupt, foreign or from a newer version.
   */
  static fromJSON(json: unknown): IsolationForest {
    const state = loadState<Record<string, unknown>>(json, FORMAT, VERSION);
    let detector: IsolationForest;
    try {
      detector = new IsolationForest(state.options as IsolationForestOptions);
    } catch (error) {
      throw new FormatError(`saved ${FORMAT} has invalid options: ${(error as Error).message}`);
    }
    const forest: Forest = {
      nFeatures: state.nFeatures as number,
      samplesPerTree: state.samplesPerTree as number,
      threshold: state.threshold as number,
      roots: decodeArray(state.roots, 'int32', 'roots'),
      feature: decodeArray(state.feature, 'int32', 'feature'),
      value: decodeArray(state.value, 'float64', 'value'),
      left: decodeArray(state.left, 'int32', 'left'),
    };
    checkForest(forest);
    detector.forest = forest;
    return detector;
  }

  private scoreDense(data: Float64Array, rows: number): Float64Array {
    const forest = this.forest!;
    const { roots, feature, value, left, nFeatures } = forest;
    const normaliser = roots.length * averagePathLength(forest.samplesPerTree);
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const offset = i * nFeatures;
      let total = 0;
      for (let t = 0; t < roots.length; t++) {
        let node = roots[t];
        let f = feature[node];
        while (f >= 0) {
          node = data[offset + f] <= value[node] ? left[node] : left[node] + 1;
          f = feature[node];
        }
        total += value[node];
      }
      // Trees grown from a single row have c(1) = 0; scikit-learn scores such a forest 0.5.
      out[i] = normaliser === 0 ? 0.5 : 2 ** (-total / normaliser);
    }
    return out;
  }

  private resolveMaxSamples(rows: number): number {
    const { maxSamples } = this.options;
    if (maxSamples === 'auto') return Math.min(256, rows);
    if (maxSamples <= 1) return Math.max(1, Math.floor(maxSamples * rows));
    if (maxSamples > rows) {
      this.logger.warn?.(
        `maxSamples (${maxSamples}) is greater than the number of rows (${rows}): using ${rows}`,
        { maxSamples, rows },
      );
      return rows;
    }
    return maxSamples;
  }

  private fitted(what: string): Forest {
    if (!this.forest) throw new NotFittedError('IsolationForest', what);
    return this.forest;
  }
}

/** Grows trees into shared flat arrays; one instance per fit. */
class TreeBuilder {
  private readonly stack: Int32Array;
  private readonly order: Int32Array;

  constructor(
    private readonly data: Float64Array,
    private readonly cols: number,
    private readonly maxDepth: number,
    private readonly feature: Int32Array,
    private readonly value: Float64Array,
    private readonly left: Int32Array,
  ) {
    this.stack = new Int32Array(4 * (maxDepth + 2) * 2);
    this.order = new Int32Array(cols);
  }

  /** Grows one tree from `samples` (reordered in place) starting at node `first`; returns the next free node. */
  grow(samples: Int32Array, features: Int32Array, random: Random, first: number): number {
    const { data, cols, stack, order, feature, value, left } = this;
    let next = first + 1;
    let top = 0;
    stack[top++] = first;
    stack[top++] = 0;
    stack[top++] = samples.length;
    stack[top++] = 0;

    while (top > 0) {
      const depth = stack[--top];
      const end = stack[--top];
      const start = stack[--top];
      const node = stack[--top];
      const size = end - start;

      let split = -1;
      let threshold = 0;
      if (depth < this.maxDepth && size >= 2) {
        order.set(features);
        let remaining = features.length;
        while (remaining > 0 && split < 0) {
          const pick = random.int(remaining);
          const f = order[pick];
          order[pick] = order[remaining - 1];
          remaining--;
          let low = Number.POSITIVE_INFINITY;
          let high = Number.NEGATIVE_INFINITY;
          for (let k = start; k < end; k++) {
            const v = data[samples[k] * cols + f];
            if (v < low) low = v;
            if (v > high) high = v;
          }
          if (high <= low + CONSTANT_RANGE) continue;
          threshold = low + random.next() * (high - low);
          if (threshold >= high) threshold = low;
          split = f;
        }
      }

      if (split < 0) {
        feature[node] = -1;
        value[node] = depth + averagePathLength(size);
        continue;
      }

      let middle = start;
      for (let k = start; k < end; k++) {
        const s = samples[k];
        if (data[s * cols + split] <= threshold) {
          samples[k] = samples[middle];
          samples[middle] = s;
          middle++;
        }
      }
      feature[node] = split;
      value[node] = threshold;
      left[node] = next;
      stack[top++] = next + 1;
      stack[top++] = middle;
      stack[top++] = end;
      stack[top++] = depth + 1;
      stack[top++] = next;
      stack[top++] = start;
      stack[top++] = middle;
      stack[top++] = depth + 1;
      next += 2;
    }
    return next;
  }
}

/**
 * The distinct rows of `count` draws with replacement. A row drawn twice weighs twice in
 * scikit-learn, but weights change nothing in an isolation tree, and scikit-learn's leaf sizes
 * count distinct rows, so the distinct set is all a tree needs.
 */
function distinctDraws(random: Random, rows: number, count: number): Int32Array {
  const seen = new Uint8Array(rows);
  let distinct = 0;
  for (let k = 0; k < count; k++) {
    const i = random.int(rows);
    if (!seen[i]) {
      seen[i] = 1;
      distinct++;
    }
  }
  const out = new Int32Array(distinct);
  let filled = 0;
  for (let i = 0; i < rows; i++) if (seen[i]) out[filled++] = i;
  return out;
}

function resolveOptions(options: IsolationForestOptions): ResolvedOptions {
  const nEstimators = checkInteger('nEstimators', options.nEstimators ?? 100, { min: 1 });
  const maxSamples = options.maxSamples ?? 'auto';
  if (maxSamples !== 'auto') {
    checkNumber('maxSamples', maxSamples, { min: 0, minExclusive: true });
    if (maxSamples > 1 && !Number.isInteger(maxSamples)) {
      throw new ValidationError(
        `maxSamples must be 'auto', a fraction in (0, 1] or an integer count, got ${maxSamples}`,
      );
    }
  }
  const maxFeatures = checkNumber('maxFeatures', options.maxFeatures ?? 1, {
    min: 0,
    minExclusive: true,
  });
  if (maxFeatures > 1 && !Number.isInteger(maxFeatures)) {
    throw new ValidationError(
      `maxFeatures must be a fraction in (0, 1] or an integer count, got ${maxFeatures}`,
    );
  }
  const bootstrap = options.bootstrap ?? false;
  if (typeof bootstrap !== 'boolean') {
    throw new ValidationError(`bootstrap must be true or false, got ${String(bootstrap)}`);
  }
  const seed = checkInteger('seed', options.seed ?? 0);
  const contamination = checkContamination(options.contamination ?? 'auto');
  return { nEstimators, maxSamples, maxFeatures, bootstrap, contamination, seed };
}

function resolveMaxFeatures(maxFeatures: number, cols: number): number {
  if (maxFeatures <= 1) return Math.max(1, Math.floor(maxFeatures * cols));
  if (maxFeatures > cols) {
    throw new ValidationError(
      `maxFeatures (${maxFeatures}) is more than the ${cols} columns of X: pass at most ${cols}`,
    );
  }
  return maxFeatures;
}

/** Checks a loaded forest's structure so that walking it can neither leave the arrays nor loop. */
function checkForest(forest: Forest): void {
  const { feature, value, left, roots, nFeatures } = forest;
  const nodes = feature.length;
  const bad = (why: string) => new FormatError(`saved ${FORMAT} is inconsistent: ${why}`);
  if (!Number.isInteger(nFeatures) || nFeatures < 1)
    throw bad('nFeatures is not a positive integer');
  if (!Number.isInteger(forest.samplesPerTree) || forest.samplesPerTree < 1) {
    throw bad('samplesPerTree is not a positive integer');
  }
  if (typeof forest.threshold !== 'number' || !Number.isFinite(forest.threshold)) {
    throw bad('threshold is not a finite number');
  }
  if (value.length !== nodes || left.length !== nodes || roots.length < 1) {
    throw bad('node arrays have different lengths or there are no trees');
  }
  for (const root of roots) if (root < 0 || root >= nodes) throw bad('a root is out of range');
  for (let node = 0; node < nodes; node++) {
    const f = feature[node];
    if (f < 0) continue;
    if (f >= nFeatures) throw bad(`node ${node} splits on feature ${f} of ${nFeatures}`);
    if (left[node] <= node || left[node] + 1 >= nodes) throw bad(`node ${node} has bad children`);
  }
}
