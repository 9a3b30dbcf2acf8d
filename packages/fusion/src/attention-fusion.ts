/**
 * Supervised fusion of detector scores by self-attention over per-detector tokens (the reference
 * pipeline's attention fusion, with PR-AUC early stopping and an exact F1 threshold). Training
 * uses @decoders/nn's building blocks: seeded shuffling, AdamW (here weight decay 0, i.e. Adam),
 * early stopping with the best weights restored, progress events and cancellation; the members
 * of an ensemble train together in one batched graph per step (ensemble-training.ts).
 */
import {
  checkInteger,
  checkNumber,
  FormatError,
  loadState,
  type MatrixInput,
  NotFittedError,
  Random,
  type SavedState,
  saveState,
  silentLogger,
  ValidationError,
} from '@decoders/core';
import { initBackend, loadWeights, type SavedWeights, saveWeights, tf } from '@decoders/nn';
import { FusionNetwork, TOKEN_WIDTH } from './attention-network.js';
import { checkDetectorNames, checkLabels, checkScores, checkThresholdStrategy } from './checks.js';
import { trainEnsemble } from './ensemble-training.js';
import { MetaFeatures } from './meta-features.js';
import { chooseThreshold } from './threshold.js';
import type {
  Explanation,
  Fusion,
  FusionFitOptions,
  ThresholdStrategy,
  TrainingHistory,
} from './types.js';

/** Format name of a saved {@link AttentionFusion}. */
export const ATTENTION_FUSION_FORMAT = 'decoders.attention-fusion';
/** Version 2 saves one weight set per ensemble member; version 1 files (one network) load too. */
const ATTENTION_FUSION_VERSION = 2;

/** Rows per forward pass when scoring; bounds memory only. */
const SCORING_CHUNK = 8192;

/** Options of {@link AttentionFusion}. */
export interface AttentionFusionOptions {
  /** Width of each detector token. Default `32`. */
  dModel?: number;
  /** Attention heads; must divide `dModel`. Default `4`. */
  nHeads?: number;
  /** Dropout on the attention weights and the pooled features while training. Default `0.1`. */
  dropout?: number;
  /** Add a learned per-detector embedding to each token, so the network knows which detector a
   * token came from. Default `true` (chosen by measurement, see the README). */
  identityEmbedding?: boolean;
  /** Weight of the positive (attack) class in the loss: a number, or `'balanced'` for
   * negatives / positives of the training labels. Default `1` (see the README). */
  positiveWeight?: number | 'balanced';
  /** Adam step size. Default `1e-3`. */
  learningRate?: number;
  /**
   * Rows per training batch, or `'auto'`: ten batches per epoch, of at least 128 rows, so that
   * a large training set takes as many steps per epoch as a small one, each on more rows.
   * Default `128`: the reference's 512 gives small training sets too few steps per epoch. Both
   * chosen by measurement (see the README).
   */
  batchSize?: number | 'auto';
  /** Upper bound on training epochs. Default `50`. */
  maxEpochs?: number;
  /** Epochs without a better validation PR-AUC before stopping. Default `8`. */
  patience?: number;
  /** Seed of the initial weights, batch order and dropout. Default `0`. */
  seed?: number;
  /** Networks trained with seeds `seed`, `seed + 1`, …, each with its own early stopping; the
   * fused probability is the mean of theirs. More members steady the result on small training
   * sets; they train together in one batched graph per step, so k members cost less than k
   * separate fits. Default `1` (one network; see the README). */
  ensembleSize?: number;
  /** Threshold rule on validation data: exact F1 maximum, a target precision or a target
   * false-positive rate. Default `{ strategy: 'f1' }`. */
  threshold?: ThresholdStrategy;
}

interface ResolvedOptions {
  dModel: number;
  nHeads: number;
  dropout: number;
  identityEmbedding: boolean;
  positiveWeight: number | 'balanced';
  learningRate: number;
  batchSize: number | 'auto';
  maxEpochs: number;
  patience: number;
  seed: number;
  ensembleSize: number;
  threshold: ThresholdStrategy;
}

interface AttentionFusionState {
  options: ResolvedOptions;
  detectorNames: string[];
  threshold: number;
  positiveWeight: number;
  meta: SavedState;
  /** One weight set per ensemble member (format version 2). */
  members?: SavedWeights[];
  /** The single network of a version 1 file. */
  weights?: SavedWeights;
}

/**
 * Learns how to combine M detector scores per row from labelled rows.
 *
 * Each row's scores become M tokens of meta-features (raw, z-score and ECDF rank against the
 * training scores, see {@link MetaFeatures}); a small transformer block attends over the tokens
 * and outputs the probability that the row is an attack. Training stops early on validation
 * PR-AUC (average precision) and keeps the best epoch's weights; the threshold is then chosen
 * on the validation rows.
 *
 * Scoring needs a ready TensorFlow.js backend: `fit` sets one up; after `fromJSON`, call
 * `await initBackend()` (re-exported by this package) once before scoring.
 *
 * @example
 * const fusion = new AttentionFusion({ seed: 1 });
 * await fusion.fit(trainScores, trainLabels, {
 *   validationScores, validationLabels, detectorNames: ['iforest', 'ocsvm', 'lof', 'vae'],
 * });
 * const p = fusion.predictProba(testScores);
 * fusion.explain(testScores)[0]; // { attention: [...], ranks: [...] }
 */
export class AttentionFusion implements Fusion {
  private readonly options: ResolvedOptions;
  private networks: FusionNetwork[] = [];
  private meta: MetaFeatures | undefined;
  private names: string[] = [];
  private threshold_ = Number.NaN;
  private positiveWeight_ = Number.NaN;

  constructor(options: AttentionFusionOptions = {}) {
    this.options = resolveOptions(options);
  }

  /** Decision threshold on the probability, chosen on the validation rows. */
  get threshold(): number {
    this.checkFitted('threshold');
    return this.threshold_;
  }

  /** Name of each detector, in column order. */
  get detectorNames(): string[] {
    this.checkFitted('detectorNames');
    return [...this.names];
  }

  /** The positive-class weight used in training (resolved when `'balanced'`). */
  get positiveWeight(): number {
    this.checkFitted('positiveWeight');
    return this.positiveWeight_;
  }

  /** The frozen meta-feature statistics of the training scores. */
  get metaFeatures(): MetaFeatures {
    this.checkFitted('metaFeatures');
    return this.meta!;
  }

  /**
   * Trains on `scores` `[N, M]` and `labels` (0 normal, 1 attack, both present), with early
   * stopping and the threshold on `options.validationScores` / `validationLabels` (required).
   * Refitting replaces the previous model.
   * @throws ValidationError on bad input, e.g. a single class (then use RankFusion);
   * AbortError when `options.signal` fires.
   */
  async fit(
    scores: MatrixInput,
    labels?: ArrayLike<number>,
    options: FusionFitOptions = {},
  ): Promise<TrainingHistory> {
    const s = checkScores(scores, 'scores');
    const positives = checkLabels(labels, s.rows, 'labels', true);
    if (options.validationScores === undefined || options.validationLabels === undefined) {
      throw new ValidationError(
        'validationScores and validationLabels are required: AttentionFusion stops early ' +
          'and picks its threshold on labelled validation rows',
      );
    }
    const v = checkScores(options.validationScores, 'validationScores', s.cols);
    checkLabels(options.validationLabels, v.rows, 'validationLabels', true);
    const names = checkDetectorNames(options.detectorNames, s.cols);
    const logger = options.logger ?? silentLogger;
    const o = this.options;
    const positiveWeight =
      o.positiveWeight === 'balanced' ? (s.rows - positives) / positives : o.positiveWeight;

    await initBackend({ logger });
    const meta = new MetaFeatures().fit(s);
    const train = meta.transform(s);
    const validation = meta.transform(v);
    const y = Float32Array.from(labels!);
    const yValidation = Float64Array.from(options.validationLabels);

    // Member k draws its initial weights, batch order and dropout masks from forks of
    // Random(seed + k), in that order; the members then train together (trainEnsemble).
    const config = {
      nDetectors: s.cols,
      dModel: o.dModel,
      nHeads: o.nHeads,
      dropout: o.dropout,
      identityEmbedding: o.identityEmbedding,
    };
    const members: FusionNetwork[] = [];
    const shuffles: Random[] = [];
    const dropouts: Random[] = [];
    let histories: TrainingHistory[];
    try {
      for (let member = 0; member < o.ensembleSize; member++) {
        const random = new Random(o.seed + member);
        members.push(new FusionNetwork(config, random.fork()));
        shuffles.push(random.fork());
        dropouts.push(random.fork());
      }
      histories = await trainEnsemble({
        networks: members,
        shuffles,
        dropouts,
        train,
        y,
        validation,
        yValidation,
        positiveWeight,
        learningRate: o.learningRate,
        batchSize: resolveBatchSize(o.batchSize, s.rows),
        maxEpochs: o.maxEpochs,
        patience: o.patience,
        scoringChunk: SCORING_CHUNK,
        onProgress: options.onProgress,
        signal: options.signal,
        logger,
      });
    } catch (error) {
      for (const network of members) network.dispose();
      throw error;
    }
    const history: TrainingHistory =
      histories.length === 1 ? histories[0] : { ...histories[0], members: histories };

    for (const network of this.networks) network.dispose();
    this.networks = members;
    this.meta = meta;
    this.names = names;
    this.positiveWeight_ = positiveWeight;
    const validationProbability = probabilityOf(members, validation, s.cols);
    this.threshold_ = chooseThreshold(o.threshold, validationProbability, yValidation);
    logger.info?.('attention fusion trained', {
      epochs: history.epochs,
      bestEpoch: history.bestEpoch,
      members: members.length,
      threshold: this.threshold_,
    });
    return history;
  }

  /** Probability of attack per row, in [0, 1]. */
  predictProba(scores: MatrixInput): Float64Array {
    this.checkFitted('predictProba()');
    const features = this.meta!.transform(scores);
    checkBackend();
    return probabilityOf(this.networks, features, this.meta!.nDetectors);
  }

  /** 1 where the probability is at or above the threshold, else 0. */
  predict(scores: MatrixInput): Uint8Array {
    const p = this.predictProba(scores);
    const out = new Uint8Array(p.length);
    for (let i = 0; i < p.length; i++) out[i] = p[i] >= this.threshold_ ? 1 : 0;
    return out;
  }

  /**
   * Per row: the attention each detector's token received, averaged over heads and query
   * tokens (sums to 1; with an ensemble, also averaged over its members), and each detector's
   * ECDF rank. Attention says which detectors the model looked at for this row, which is not the
   * same as a causal attribution.
   */
  explain(scores: MatrixInput): Explanation[] {
    this.checkFitted('explain()');
    const m = this.meta!.nDetectors;
    const features = this.meta!.transform(scores);
    checkBackend();
    const rows = features.length / (m * TOKEN_WIDTH);
    const out: Explanation[] = [];
    for (let start = 0; start < rows; start += SCORING_CHUNK) {
      const count = Math.min(SCORING_CHUNK, rows - start);
      const received = tf.tidy(() => {
        const chunk = features.subarray(start * m * TOKEN_WIDTH, (start + count) * m * TOKEN_WIDTH);
        const x = tf.tensor3d(chunk, [count, m, TOKEN_WIDTH]);
        // Per member [B, H, query, key] → mean over heads and queries → [B, key], then the mean
        // over members; the weights were kept out of each network's tidy scope, so they are
        // freed here.
        const perMember = this.networks.map((network) => {
          const { logits, weights } = network.apply(x, undefined, true);
          logits.dispose();
          const mean = tf.mean(weights!, [1, 2]);
          weights!.dispose();
          return mean;
        });
        return perMember.length === 1 ? perMember[0] : tf.mean(tf.stack(perMember), 0);
      });
      const values = received.dataSync();
      received.dispose();
      for (let i = 0; i < count; i++) {
        const attention = Array.from(values.subarray(i * m, (i + 1) * m));
        const total = attention.reduce((a, b) => a + b, 0);
        const ranks: number[] = [];
        for (let j = 0; j < m; j++) ranks.push(features[((start + i) * m + j) * TOKEN_WIDTH + 2]);
        out.push({ attention: attention.map((a) => a / total), ranks });
      }
    }
    return out;
  }

  /** Saved state: options, detector names, threshold, meta-feature statistics and weights. */
  toJSON(): SavedState<AttentionFusionState> {
    this.checkFitted('toJSON()');
    return saveState(ATTENTION_FUSION_FORMAT, ATTENTION_FUSION_VERSION, {
      options: this.options,
      detectorNames: this.names,
      threshold: this.threshold_,
      positiveWeight: this.positiveWeight_,
      meta: this.meta!.toJSON(),
      members: this.networks.map((network) => saveWeights(network.store)),
    });
  }

  /** Restores an {@link AttentionFusion} saved by `toJSON()` (object or JSON text). */
  static fromJSON(json: unknown): AttentionFusion {
    const state = loadState<AttentionFusionState>(
      json,
      ATTENTION_FUSION_FORMAT,
      ATTENTION_FUSION_VERSION,
    );
    let fusion: AttentionFusion;
    try {
      fusion = new AttentionFusion(state.options);
    } catch (error) {
      throw new FormatError(
        `saved attention fusion has invalid options: ${(error as Error).message}`,
      );
    }
    const meta = MetaFeatures.fromJSON(state.meta);
    try {
      fusion.names = checkDetectorNames(state.detectorNames, meta.nDetectors);
    } catch (error) {
      throw new FormatError(`saved attention fusion is inconsistent: ${(error as Error).message}`);
    }
    if (typeof state.threshold !== 'number' || Number.isNaN(state.threshold)) {
      throw new FormatError('saved attention fusion has no valid threshold');
    }
    const saved = Array.isArray(state.members)
      ? state.members
      : state.weights !== undefined
        ? [state.weights]
        : [];
    if (saved.length === 0) {
      throw new FormatError('saved attention fusion has no network weights: the file is truncated');
    }
    const o = fusion.options;
    const networks: FusionNetwork[] = [];
    try {
      for (const weights of saved) {
        const network = new FusionNetwork(
          {
            nDetectors: meta.nDetectors,
            dModel: o.dModel,
            nHeads: o.nHeads,
            dropout: o.dropout,
            identityEmbedding: o.identityEmbedding,
          },
          new Random(o.seed),
        );
        networks.push(network);
        loadWeights(network.store, weights);
      }
    } catch (error) {
      for (const network of networks) network.dispose();
      throw error;
    }
    fusion.networks = networks;
    fusion.meta = meta;
    fusion.threshold_ = state.threshold;
    fusion.positiveWeight_ = Number(state.positiveWeight);
    return fusion;
  }

  /** Frees the networks' tensors; the model is unfitted afterwards. */
  dispose(): void {
    for (const network of this.networks) network.dispose();
    this.networks = [];
    this.meta = undefined;
  }

  private checkFitted(method: string): void {
    if (this.networks.length === 0 || !this.meta) {
      throw new NotFittedError('AttentionFusion', method);
    }
  }
}

/** Logits of every row of `features` [N, M, 3], in inference mode, chunked. */
function logitsOf(network: FusionNetwork, features: Float32Array, m: number): Float64Array {
  const rows = features.length / (m * TOKEN_WIDTH);
  const out = new Float64Array(rows);
  for (let start = 0; start < rows; start += SCORING_CHUNK) {
    const count = Math.min(SCORING_CHUNK, rows - start);
    const chunk = features.subarray(start * m * TOKEN_WIDTH, (start + count) * m * TOKEN_WIDTH);
    const logits = tf.tidy(() => network.apply(tf.tensor3d(chunk, [count, m, TOKEN_WIDTH])).logits);
    out.set(logits.dataSync(), start);
    logits.dispose();
  }
  return out;
}

/** Mean over the ensemble's networks of each row's probability (the one network's when alone). */
function probabilityOf(networks: FusionNetwork[], features: Float32Array, m: number): Float64Array {
  const out = sigmoid(logitsOf(networks[0], features, m));
  if (networks.length === 1) return out;
  for (let k = 1; k < networks.length; k++) {
    const p = sigmoid(logitsOf(networks[k], features, m));
    for (let i = 0; i < out.length; i++) out[i] += p[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= networks.length;
  return out;
}

/** The logistic function in float64, so that large logits stay distinct. */
function sigmoid(logits: Float64Array): Float64Array {
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = 1 / (1 + Math.exp(-logits[i]));
  return out;
}

function checkBackend(): void {
  try {
    tf.backend();
  } catch {
    throw new ValidationError(
      'no TensorFlow.js backend is ready: await initBackend() (exported by @decoders/fusion) ' +
        'before scoring a loaded model',
    );
  }
}

/** `batchSize: 'auto'`: this many batches per epoch, each of at least AUTO_MIN_BATCH rows. */
const AUTO_BATCHES_PER_EPOCH = 10;
const AUTO_MIN_BATCH = 128;

/** Rows per batch for `rows` training rows: the option itself, or for `'auto'` a tenth of them (at least 128). */
export function resolveBatchSize(batchSize: number | 'auto', rows: number): number {
  if (batchSize !== 'auto') return batchSize;
  return Math.max(AUTO_MIN_BATCH, Math.ceil(rows / AUTO_BATCHES_PER_EPOCH));
}

function resolveOptions(options: AttentionFusionOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('AttentionFusion options must be an object');
  }
  const dModel = checkInteger('dModel', options.dModel ?? 32, { min: 1 });
  const nHeads = checkInteger('nHeads', options.nHeads ?? 4, { min: 1 });
  if (dModel % nHeads !== 0) {
    throw new ValidationError(`nHeads (${nHeads}) must divide dModel (${dModel})`);
  }
  const weight = options.positiveWeight ?? 1;
  const positiveWeight =
    weight === 'balanced'
      ? weight
      : checkNumber('positiveWeight', weight, { min: 0, minExclusive: true });
  if (options.identityEmbedding !== undefined && typeof options.identityEmbedding !== 'boolean') {
    throw new ValidationError(
      `identityEmbedding must be true or false, got ${String(options.identityEmbedding)}`,
    );
  }
  return {
    dModel,
    nHeads,
    dropout: checkNumber('dropout', options.dropout ?? 0.1, { min: 0, max: 1, maxExclusive: true }),
    identityEmbedding: options.identityEmbedding ?? true,
    positiveWeight,
    learningRate: checkNumber('learningRate', options.learningRate ?? 1e-3, {
      min: 0,
      minExclusive: true,
    }),
    batchSize:
      options.batchSize === 'auto'
        ? 'auto'
        : checkInteger('batchSize', options.batchSize ?? 128, { min: 1 }),
    maxEpochs: checkInteger('maxEpochs', options.maxEpochs ?? 50, { min: 1 }),
    patience: checkInteger('patience', options.patience ?? 8, { min: 1 }),
    seed: checkInteger('seed', options.seed ?? 0, {}),
    ensembleSize: checkInteger('ensembleSize', options.ensembleSize ?? 1, { min: 1, max: 100 }),
    threshold: checkThresholdStrategy(options.threshold ?? { strategy: 'f1' }, [
      'f1',
      'precision',
      'fpr',
    ]),
  };
}
