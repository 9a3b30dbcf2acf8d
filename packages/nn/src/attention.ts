/**
 * Multi-head scaled dot-product self-attention (Vaswani et al., 2017, "Attention is all you
 * need"), with the layout of torch.nn.MultiheadAttention(batch_first=True): one input projection
 * to queries, keys and values, softmax(Q·Kᵀ / √dHead) per head, dropout on the attention
 * weights while training, then an output projection. tfjs-layers does not export one.
 */
import { type Random, ValidationError } from '@decoders/core';
import { dropout } from './activations.js';
import { tf } from './backend.js';
import { Dense } from './dense.js';
import type { ParameterStore } from './parameters.js';

/** Options of {@link MultiHeadSelfAttention}. */
export interface MultiHeadSelfAttentionOptions {
  /** Number of heads; must divide the model width. Default 4. */
  nHeads?: number;
  /** Dropout rate on the attention weights while training. Default 0. */
  dropout?: number;
}

/** What {@link MultiHeadSelfAttention.apply} returns. */
export interface AttentionOutput {
  /** [B, T, dModel]. */
  output: tf.Tensor3D;
  /** [B, nHeads, T, T], each row summing to 1 (before dropout); only when asked for. */
  weights?: tf.Tensor4D;
}

/** Per-call options of {@link MultiHeadSelfAttention.apply}. */
export interface AttentionCallOptions {
  /** Seeds the dropout masks; pass it while training, leave it out for inference. */
  random?: Random;
  /** Also return the attention weights. Default `false`. */
  returnWeights?: boolean;
}

/** Self-attention over the T tokens of each of B sequences. */
export class MultiHeadSelfAttention {
  readonly nHeads: number;
  readonly dropoutRate: number;
  private readonly query: Dense;
  private readonly key: Dense;
  private readonly value: Dense;
  private readonly outProjection: Dense;

  /**
   * Creates `<name>.query`, `<name>.key`, `<name>.value` and `<name>.out`, each a Dense
   * [dModel, dModel] with bias. Three projections rather than one of width 3·dModel: splitting
   * the wide one costs more on wasm than the two extra matMuls.
   */
  constructor(
    store: ParameterStore,
    readonly name: string,
    readonly dModel: number,
    random: Random,
    options: MultiHeadSelfAttentionOptions = {},
  ) {
    this.nHeads = options.nHeads ?? 4;
    this.dropoutRate = options.dropout ?? 0;
    if (!Number.isInteger(this.nHeads) || this.nHeads < 1 || dModel % this.nHeads !== 0) {
      throw new ValidationError(
        `nHeads must be a positive integer that divides dModel (${dModel}), got ${this.nHeads}`,
      );
    }
    if (!(this.dropoutRate >= 0 && this.dropoutRate < 1)) {
      throw new ValidationError(`dropout must be in [0, 1), got ${this.dropoutRate}`);
    }
    this.query = new Dense(store, `${name}.query`, dModel, dModel, random);
    this.key = new Dense(store, `${name}.key`, dModel, dModel, random);
    this.value = new Dense(store, `${name}.value`, dModel, dModel, random);
    // Close to torch.nn.MultiheadAttention: Glorot input projections, each [D, D] drawn on its
    // own (bound √(6 / 2D); torch draws one [3D, D] matrix, bound √(6 / 4D): measured in
    // docs/vae.md, not better), an output projection drawn like torch.nn.Linear's weight, all
    // biases zero.
    this.outProjection = new Dense(store, `${name}.out`, dModel, dModel, random, {
      init: 'fanIn',
    });
  }

  /** Attends over `x` [B, T, dModel]. */
  apply(x: tf.Tensor3D, options: AttentionCallOptions = {}): AttentionOutput {
    const [batch, tokens, width] = x.shape;
    if (width !== this.dModel) {
      throw new ValidationError(`attention input has width ${width}, expected ${this.dModel}`);
    }
    const heads = this.nHeads;
    const headSize = width / heads;
    let weightsOut: tf.Tensor4D | undefined;
    const output = tf.tidy(() => {
      // [B, T, D] → [B, H, T, dh] per projection (rank-4 transposes; rank 5 is slow on wasm).
      const [q, k, v] = [this.query, this.key, this.value].map((projection) =>
        tf.transpose(
          tf.reshape(projection.apply(x), [batch, tokens, heads, headSize]),
          [0, 2, 1, 3],
        ),
      );
      const keysT = tf.transpose(k, [0, 1, 3, 2]);
      const scores = tf.mul(tf.matMul(q, keysT), 1 / Math.sqrt(headSize));
      const weights = tf.softmax(scores) as tf.Tensor4D;
      if (options.returnWeights) weightsOut = tf.keep(weights);
      const attended = tf.matMul(dropout(weights, this.dropoutRate, options.random), v);
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch, tokens, width]);
      return this.outProjection.apply(merged) as tf.Tensor3D;
    });
    return weightsOut === undefined ? { output } : { output, weights: weightsOut };
  }
}
