/**
 * The network of the attention fusion: each detector's meta-features become a token, the tokens
 * attend to one another (multi-head self-attention, Vaswani et al., 2017), their mean is pooled
 * through LayerNorm → Dense → ReLU → dropout, and a last Dense gives one logit per row. It is
 * the reference design's AttentionOnlyFusion, with an optional learned detector-identity
 * embedding.
 */
import type { Random } from '@decoders/core';
import {
  Dense,
  dropout,
  LayerNorm,
  MultiHeadSelfAttention,
  ParameterStore,
  tf,
} from '@decoders/nn';

/** Number of meta-features per detector token (raw, z-score, rank). */
export const TOKEN_WIDTH = 3;

/** What the network's shape depends on. */
export interface NetworkConfig {
  nDetectors: number;
  dModel: number;
  nHeads: number;
  dropout: number;
  identityEmbedding: boolean;
}

/** Output of {@link FusionNetwork.apply}. */
export interface NetworkOutput {
  /** [B] logits. */
  logits: tf.Tensor1D;
  /** [B, nHeads, M, M] attention weights, when asked for. */
  weights?: tf.Tensor4D;
}

/** The fusion network's layers and weights. */
export class FusionNetwork {
  readonly store = new ParameterStore();
  private readonly projection: Dense;
  private readonly attention: MultiHeadSelfAttention;
  private readonly norm: LayerNorm;
  private readonly hidden: Dense;
  private readonly head: Dense;
  private readonly identity: tf.Variable | undefined;

  constructor(
    readonly config: NetworkConfig,
    random: Random,
  ) {
    const { dModel, nDetectors } = config;
    this.projection = new Dense(this.store, 'projection', TOKEN_WIDTH, dModel, random);
    this.attention = new MultiHeadSelfAttention(this.store, 'attention', dModel, random, {
      nHeads: config.nHeads,
      dropout: config.dropout,
    });
    this.norm = new LayerNorm(this.store, 'pool.norm', dModel);
    this.hidden = new Dense(this.store, 'pool.dense', dModel, dModel, random);
    this.head = new Dense(this.store, 'head', dModel, 1, random);
    // Created last and zero-initialised, as in the reference: it draws no random numbers, so the
    // other weights are those of the network without it, and training starts from that network.
    this.identity = config.identityEmbedding
      ? this.store.create('identity', [nDetectors, dModel], new Float32Array(nDetectors * dModel))
      : undefined;
  }

  /** Trainable variables, in a fixed order. */
  get variables(): tf.Variable[] {
    return this.store.variables;
  }

  /**
   * Logits of `x` [B, M, 3]. With `random` the dropout layers are active (training); without,
   * the network runs in inference mode.
   */
  apply(x: tf.Tensor3D, random?: Random, returnWeights = false): NetworkOutput {
    let weights: tf.Tensor4D | undefined;
    const logits = tf.tidy(() => {
      let tokens = this.projection.apply(x) as tf.Tensor3D;
      if (this.identity) tokens = tf.add(tokens, this.identity);
      const attended = this.attention.apply(tokens, { random, returnWeights });
      if (attended.weights) weights = tf.keep(attended.weights);
      const pooled = tf.mean(attended.output, 1);
      const hidden = tf.relu(this.hidden.apply(this.norm.apply(pooled)));
      const out = this.head.apply(dropout(hidden, this.config.dropout, random));
      return tf.reshape(out, [-1]) as tf.Tensor1D;
    });
    return weights === undefined ? { logits } : { logits, weights };
  }

  /** Frees the weights. */
  dispose(): void {
    this.store.dispose();
  }
}
