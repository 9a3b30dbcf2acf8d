/**
 * PatchTransformerVAE: a variational autoencoder (Kingma and Welling, 2014) whose encoder is a
 * Transformer over patches of the row, as in the Decoders reference design. It maps table rows
 * to a latent μ and scores rows by how badly they are reconstructed.
 */
import {
  checkInteger,
  checkNumber,
  type DenseMatrix,
  denseMatrix,
  FormatError,
  type Logger,
  loadState,
  type MatrixInput,
  NotFittedError,
  type ProgressCallback,
  Random,
  type SavedState,
  saveState,
  toDense,
  ValidationError,
} from '@decoders/core';
import {
  AdamW,
  type EpochEndCallback,
  initBackend,
  loadWeights,
  saveWeights,
  type TrainingHistory,
  tf,
  trainLoop,
  trainStep,
} from '@decoders/nn';
import { type NetworkConfig, VaeNetwork } from './network.js';

export type { TrainingHistory } from '@decoders/nn';

/** Options of {@link PatchTransformerVAE}. */
export interface PatchTransformerVAEOptions {
  /** Features per patch (token); the row is zero-padded to a multiple of it. Default 32. */
  patchSize?: number;
  /** Width of the Transformer. Default 128. */
  dModel?: number;
  /** Number of Transformer encoder blocks. Default 2. */
  nLayers?: number;
  /** Attention heads per block; must divide dModel. Default 4. */
  nHeads?: number;
  /** Size of the latent space (μ and log σ²). Default 32. */
  latentDim?: number;
  /** Dropout rate in the encoder blocks and the decoder while training. Default 0.1. */
  dropout?: number;
  /** Weight of the KL term in the loss. Default 0.5. */
  beta?: number;
  /** AdamW learning rate. Default 1e-3. */
  learningRate?: number;
  /** AdamW decoupled weight decay. Default 1e-4. */
  weightDecay?: number;
  /** Rows per training batch. Default 1024. */
  batchSize?: number;
  /** Upper bound on training epochs. Default 50. */
  maxEpochs?: number;
  /** Epochs without improvement of the monitored loss before stopping. Default 8. */
  patience?: number;
  /** Smallest decrease of the monitored loss that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Add a learned embedding per patch position to the patch tokens. Default false. */
  positionalEmbedding?: boolean;
  /** Seed of the weights, shuffling, dropout and reparameterisation noise. Default 0. */
  seed?: number;
  /** Rows per forward pass in encode / reconstructionError (memory only). Default 8192. */
  inferenceBatchSize?: number;
}

/** Options of {@link PatchTransformerVAE.fit}. */
export interface VaeFitOptions {
  /**
   * Rows whose loss drives early stopping (labels are not used). Without it, the training
   * loss of each epoch is monitored instead.
   */
  validation?: MatrixInput;
  onProgress?: ProgressCallback;
  onEpochEnd?: EpochEndCallback;
  /** Cancels training between batches; the model is then left unfitted. */
  signal?: AbortSignal;
  logger?: Logger;
}

type ResolvedOptions = Required<PatchTransformerVAEOptions>;

const FORMAT = 'decoders.patch-transformer-vae';
const FORMAT_VERSION = 1;

interface SavedVae {
  options: ResolvedOptions;
  nFeatures: number;
  history: TrainingHistory;
  weights: unknown;
}

function resolveOptions(options: PatchTransformerVAEOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('options must be an object (or left out for the defaults)');
  }
  const positive = { min: 1 };
  const resolved: ResolvedOptions = {
    patchSize: checkInteger('patchSize', options.patchSize ?? 32, positive),
    dModel: checkInteger('dModel', options.dModel ?? 128, positive),
    nLayers: checkInteger('nLayers', options.nLayers ?? 2, positive),
    nHeads: checkInteger('nHeads', options.nHeads ?? 4, positive),
    latentDim: checkInteger('latentDim', options.latentDim ?? 32, positive),
    dropout: checkNumber('dropout', options.dropout ?? 0.1, { min: 0, max: 1, maxExclusive: true }),
    beta: checkNumber('beta', options.beta ?? 0.5, { min: 0 }),
    learningRate: checkNumber('learningRate', options.learningRate ?? 1e-3, {
      min: 0,
      minExclusive: true,
    }),
    weightDecay: checkNumber('weightDecay', options.weightDecay ?? 1e-4, { min: 0 }),
    batchSize: checkInteger('batchSize', options.batchSize ?? 1024, positive),
    maxEpochs: checkInteger('maxEpochs', options.maxEpochs ?? 50, positive),
    patience: checkInteger('patience', options.patience ?? 8, positive),
    minDelta: checkNumber('minDelta', options.minDelta ?? 0, { min: 0 }),
    positionalEmbedding: options.positionalEmbedding ?? false,
    seed: checkInteger('seed', options.seed ?? 0),
    inferenceBatchSize: checkInteger(
      'inferenceBatchSize',
      options.inferenceBatchSize ?? 8192,
      positive,
    ),
  };
  if (typeof resolved.positionalEmbedding !== 'boolean') {
    throw new ValidationError(
      `positionalEmbedding must be true or false, got ${String(resolved.positionalEmbedding)}`,
    );
  }
  if (resolved.dModel % resolved.nHeads !== 0) {
    throw new ValidationError(
      `nHeads (${resolved.nHeads}) must divide dModel (${resolved.dModel}): change one of them`,
    );
  }
  return resolved;
}

/** Copies rows [start, end) of `x` into a float32 batch zero-padded to `width` columns. */
function paddedRows(x: DenseMatrix, start: number, end: number, width: number): Float32Array {
  const cols = x.cols;
  const out = new Float32Array((end - start) * width);
  for (let i = start; i < end; i++) {
    const row = x.data.subarray(i * cols, (i + 1) * cols);
    out.set(row, (i - start) * width);
  }
  return out;
}

/** Like {@link paddedRows} for an arbitrary list of rows. */
function paddedGather(x: DenseMatrix, indices: ArrayLike<number>, width: number): Float32Array {
  const cols = x.cols;
  const out = new Float32Array(indices.length * width);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    out.set(x.data.subarray(i * cols, (i + 1) * cols), k * width);
  }
  return out;
}

/**
 * A Patch-Transformer variational autoencoder for tabular rows.
 *
 * Train it on normal rows with {@link fit}; then {@link encode} gives the latent μ (features for
 * downstream detectors) and {@link reconstructionError} an anomaly score (higher = more
 * anomalous). Inputs must be numeric and scaled (see @decoders/preprocess). Call
 * `initBackend()` from @decoders/nn before loading a model with {@link fromJSON} to run it on
 * wasm; `fit` does so itself.
 */
export class PatchTransformerVAE {
  private readonly options: ResolvedOptions;
  private network: VaeNetwork | undefined;
  private nFeatures_ = 0;
  private history_: TrainingHistory | undefined;

  constructor(options: PatchTransformerVAEOptions = {}) {
    this.options = resolveOptions(options);
  }

  /** The options in use, defaults filled in. */
  get config(): Readonly<ResolvedOptions> {
    return { ...this.options };
  }

  /** Width of the rows seen at fit time. */
  get nFeatures(): number {
    this.network ?? this.notFitted('nFeatures');
    return this.nFeatures_;
  }

  /** Number of patches (tokens) per row. */
  get nPatches(): number {
    return (this.network ?? this.notFitted('nPatches')).nPatches;
  }

  /** Number of trainable weights. */
  get nParameters(): number {
    return (this.network ?? this.notFitted('nParameters')).store.size;
  }

  /** The training history of the last fit (or of the saved model). */
  get history(): TrainingHistory {
    this.network ?? this.notFitted('history');
    return structuredClone(this.history_!);
  }

  /**
   * Trains on the rows of `X` (normal rows only, for anomaly scoring).
   * @throws ValidationError for an empty matrix, NaN or infinite values, or a validation set of
   * another width; AbortError when `options.signal` fires.
   */
  async fit(X: MatrixInput, options: VaeFitOptions = {}): Promise<TrainingHistory> {
    const x = toDense(X, { name: 'X', dtype: 'float32' });
    const validation =
      options.validation === undefined
        ? undefined
        : toDense(options.validation, { name: 'validation', dtype: 'float32', cols: x.cols });
    await initBackend(options.logger ? { logger: options.logger } : {});

    this.dispose();
    const o = this.options;
    const random = new Random(o.seed);
    const network = new VaeNetwork(this.networkConfig(x.cols), random.fork());
    const shuffle = random.fork();
    const noise = random.fork();
    const dropoutRandom = random.fork();
    const optimizer = new AdamW({ learningRate: o.learningRate, weightDecay: o.weightDecay });
    const variables = network.store.variables;
    const width = network.paddedWidth;

    try {
      const history = await trainLoop({
        nSamples: x.rows,
        batchSize: o.batchSize,
        maxEpochs: o.maxEpochs,
        patience: o.patience,
        minDelta: o.minDelta,
        mode: 'min',
        random: shuffle,
        variables,
        stage: 'vae',
        step: (indices) => {
          const padded = tf.tensor2d(paddedGather(x, indices, width), [indices.length, width]);
          const target =
            width === x.cols ? padded : tf.slice(padded, [0, 0], [indices.length, x.cols]);
          const loss = trainStep(
            optimizer,
            variables,
            () => network.loss(padded, target, o.beta, noise, dropoutRandom).total,
          );
          tf.dispose([padded, target]);
          return loss;
        },
        ...(validation
          ? { validate: () => this.meanLoss(network, validation, this.evaluationNoise()) }
          : {}),
        ...(options.onEpochEnd ? { onEpochEnd: options.onEpochEnd } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
      this.network = network;
      this.nFeatures_ = x.cols;
      this.history_ = history;
      return structuredClone(history);
    } catch (error) {
      network.dispose();
      throw error;
    } finally {
      optimizer.dispose();
    }
  }

  /**
   * The loss (reconstruction MSE + beta · KL, z sampled with noise fixed by the seed, no
   * dropout) over all rows of `X`, exactly as computed on the validation rows for early stopping.
   */
  loss(X: MatrixInput): number {
    const network = this.network ?? this.notFitted('loss()');
    const x = toDense(X, { name: 'X', dtype: 'float32', cols: this.nFeatures_ });
    return this.meanLoss(network, x, this.evaluationNoise());
  }

  /**
   * The noise of the evaluation loss: the same draws at every epoch, so that epochs are compared
   * on equal terms, and independent of the training streams.
   */
  private evaluationNoise(): Random {
    return new Random((this.options.seed ^ 0x5bd1e995) >>> 0);
  }

  private meanLoss(network: VaeNetwork, x: DenseMatrix, noise: Random): number {
    let total = 0;
    this.forEachChunk(network, x, (padded, target) => {
      const value = tf.tidy(() => network.loss(padded, target, this.options.beta, noise).total);
      total += value.dataSync()[0] * padded.shape[0];
      value.dispose();
    });
    return total / x.rows;
  }

  /** The latent mean μ of each row, [n, latentDim]. */
  encode(X: MatrixInput): DenseMatrix<Float32Array> {
    const network = this.network ?? this.notFitted('encode()');
    const x = toDense(X, { name: 'X', dtype: 'float32', cols: this.nFeatures_ });
    const latent = this.options.latentDim;
    const out = new Float32Array(x.rows * latent);
    let offset = 0;
    this.forEachChunk(network, x, (padded) => {
      const mu = tf.tidy(() => network.encode(padded).mu);
      out.set(mu.dataSync(), offset);
      offset += mu.size;
      mu.dispose();
    });
    return denseMatrix(out, x.rows, latent);
  }

  /**
   * Per-row mean absolute error of the reconstruction decoded from μ (deterministic; the
   * reference pipeline's `vae_recon_mu`). Higher = more anomalous.
   */
  reconstructionError(X: MatrixInput): Float64Array {
    const network = this.network ?? this.notFitted('reconstructionError()');
    const x = toDense(X, { name: 'X', dtype: 'float32', cols: this.nFeatures_ });
    const out = new Float64Array(x.rows);
    let offset = 0;
    this.forEachChunk(network, x, (padded, target) => {
      const errors = tf.tidy(() => {
        const recon = network.decode(network.encode(padded).mu);
        return tf.mean(tf.abs(tf.sub(recon, target)), 1);
      });
      out.set(errors.dataSync(), offset);
      offset += errors.size;
      errors.dispose();
    });
    return out;
  }

  /** Absolute reconstruction error of every feature, [n, nFeatures], decoded from μ. */
  reconstructionErrorByFeature(X: MatrixInput): DenseMatrix<Float32Array> {
    const network = this.network ?? this.notFitted('reconstructionErrorByFeature()');
    const x = toDense(X, { name: 'X', dtype: 'float32', cols: this.nFeatures_ });
    const out = new Float32Array(x.rows * x.cols);
    let offset = 0;
    this.forEachChunk(network, x, (padded, target) => {
      const errors = tf.tidy(() =>
        tf.abs(tf.sub(network.decode(network.encode(padded).mu), target)),
      );
      out.set(errors.dataSync(), offset);
      offset += errors.size;
      errors.dispose();
    });
    return denseMatrix(out, x.rows, x.cols);
  }

  /** Runs `body` on padded and unpadded tensors of consecutive row chunks, then frees them. */
  private forEachChunk(
    network: VaeNetwork,
    x: DenseMatrix,
    body: (padded: tf.Tensor2D, target: tf.Tensor2D) => void,
  ): void {
    const width = network.paddedWidth;
    const chunk = this.options.inferenceBatchSize;
    for (let start = 0; start < x.rows; start += chunk) {
      const end = Math.min(x.rows, start + chunk);
      const padded = tf.tensor2d(paddedRows(x, start, end, width), [end - start, width]);
      const target = width === x.cols ? padded : tf.slice(padded, [0, 0], [end - start, x.cols]);
      try {
        body(padded, target);
      } finally {
        tf.dispose([padded, target]);
      }
    }
  }

  /** The configuration and weights, in core's save format `'decoders.patch-transformer-vae'`. */
  toJSON(): SavedState<SavedVae> {
    const network = this.network ?? this.notFitted('toJSON()');
    return saveState(FORMAT, FORMAT_VERSION, {
      options: { ...this.options },
      nFeatures: this.nFeatures_,
      history: structuredClone(this.history_!),
      weights: saveWeights(network.store),
    });
  }

  /**
   * Rebuilds a model saved with {@link toJSON}; it encodes exactly as the saved one did.
   * @throws FormatError for corrupt, foreign or newer saved state.
   */
  static fromJSON(json: unknown): PatchTransformerVAE {
    const state = loadState<Partial<SavedVae>>(json, FORMAT, FORMAT_VERSION);
    if (state === null || typeof state !== 'object') {
      throw new FormatError(`saved ${FORMAT} has no state object`);
    }
    let model: PatchTransformerVAE;
    try {
      model = new PatchTransformerVAE(state.options ?? {});
      checkInteger('nFeatures', state.nFeatures, { min: 1 });
    } catch (error) {
      throw new FormatError(`saved ${FORMAT} has invalid settings: ${(error as Error).message}`);
    }
    const history = state.history;
    if (!history || !Array.isArray(history.loss) || !Array.isArray(history.validation)) {
      throw new FormatError(`saved ${FORMAT} lacks its training history: the file is truncated`);
    }
    const network = new VaeNetwork(
      model.networkConfig(state.nFeatures as number),
      new Random(model.options.seed),
    );
    try {
      loadWeights(network.store, state.weights);
    } catch (error) {
      network.dispose();
      throw error;
    }
    model.network = network;
    model.nFeatures_ = state.nFeatures as number;
    model.history_ = structuredClone(history);
    return model;
  }

  /** Frees the model's tensors; the model is unfitted afterwards. */
  dispose(): void {
    this.network?.dispose();
    this.network = undefined;
    this.history_ = undefined;
    this.nFeatures_ = 0;
  }

  private networkConfig(nFeatures: number): NetworkConfig {
    const o = this.options;
    return {
      nFeatures,
      patchSize: o.patchSize,
      dModel: o.dModel,
      nLayers: o.nLayers,
      nHeads: o.nHeads,
      latentDim: o.latentDim,
      dropout: o.dropout,
      positionalEmbedding: o.positionalEmbedding,
    };
  }

  private notFitted(method: string): never {
    throw new NotFittedError('PatchTransformerVAE', method);
  }
}
