/**
 * The Patch-Transformer VAE network: the row is zero-padded to whole patches, each patch is
 * projected to dModel, Transformer encoder blocks mix the patches, a mean over patches feeds
 * LayerNorm → Dense → GELU and the μ and log σ² heads; the decoder maps z back to the features.
 */
import type { Random } from '@decoders/core';
import { Dense, dropout, gelu, LayerNorm, ParameterStore, tf } from '@decoders/nn';
import { EncoderBlock } from './encoder-block.js';
import { TORCH_LINEAR } from './torch-init.js';

/** Everything that fixes the network's shape. */
export interface NetworkConfig {
  nFeatures: number;
  patchSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  latentDim: number;
  dropout: number;
  positionalEmbedding: boolean;
}

/** The weights and forward passes of the VAE. */
export class VaeNetwork {
  readonly store = new ParameterStore();
  readonly nPatches: number;
  readonly paddedWidth: number;
  private readonly patchProjection: Dense;
  private readonly blocks: EncoderBlock[] = [];
  private readonly poolNorm: LayerNorm;
  private readonly poolDense: Dense;
  private readonly muHead: Dense;
  private readonly logVarHead: Dense;
  private readonly decoderHidden: Dense;
  private readonly decoderOutput: Dense;
  private readonly position: tf.Variable | undefined;

  constructor(
    readonly config: NetworkConfig,
    random: Random,
  ) {
    const { nFeatures, patchSize, dModel, latentDim } = config;
    this.nPatches = Math.ceil(nFeatures / patchSize);
    this.paddedWidth = this.nPatches * patchSize;
    const store = this.store;
    this.patchProjection = new Dense(store, 'patch', patchSize, dModel, random, TORCH_LINEAR);
    for (let i = 0; i < config.nLayers; i++) {
      this.blocks.push(
        new EncoderBlock(
          store,
          `block${i}`,
          dModel,
          config.nHeads,
          4 * dModel,
          config.dropout,
          random,
        ),
      );
    }
    this.poolNorm = new LayerNorm(store, 'pool.norm', dModel);
    this.poolDense = new Dense(store, 'pool.dense', dModel, dModel, random, TORCH_LINEAR);
    this.muHead = new Dense(store, 'mu', dModel, latentDim, random, TORCH_LINEAR);
    this.logVarHead = new Dense(store, 'logVar', dModel, latentDim, random, TORCH_LINEAR);
    this.decoderHidden = new Dense(
      store,
      'decoder.hidden',
      latentDim,
      2 * dModel,
      random,
      TORCH_LINEAR,
    );
    // Only the nFeatures kept outputs are computed: the padded ones would be trimmed unused.
    this.decoderOutput = new Dense(
      store,
      'decoder.output',
      2 * dModel,
      nFeatures,
      random,
      TORCH_LINEAR,
    );
    // Created last so that every other weight is the same with or without it.
    if (config.positionalEmbedding) {
      const values = new Float32Array(this.nPatches * dModel);
      for (let i = 0; i < values.length; i++) values[i] = 0.02 * random.normal();
      this.position = store.create('position', [this.nPatches, dModel], values);
    }
  }

  /** μ and log σ² [B, latentDim] of `padded` [B, paddedWidth]; `random` only in training. */
  encode(padded: tf.Tensor2D, random?: Random): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    return tf.tidy(() => {
      const batch = padded.shape[0];
      const patches = tf.reshape(padded, [batch, this.nPatches, this.config.patchSize]);
      let h = this.patchProjection.apply(patches) as tf.Tensor3D;
      if (this.position) h = tf.add(h, this.position);
      for (const block of this.blocks) h = block.apply(h, random);
      const pooled = gelu(this.poolDense.apply(this.poolNorm.apply(tf.mean(h, 1))));
      return {
        mu: this.muHead.apply(pooled) as tf.Tensor2D,
        logVar: this.logVarHead.apply(pooled) as tf.Tensor2D,
      };
    });
  }

  /** The reconstruction [B, nFeatures] of `z` [B, latentDim]; `random` only in training. */
  decode(z: tf.Tensor2D, random?: Random): tf.Tensor2D {
    return tf.tidy(() => {
      const hidden = dropout(gelu(this.decoderHidden.apply(z)), this.config.dropout, random);
      return this.decoderOutput.apply(hidden) as tf.Tensor2D;
    });
  }

  /**
   * The VAE loss of one batch: mean squared reconstruction error over B × nFeatures plus
   * beta × KL(q(z|x) ‖ N(0, I)) averaged over B × latentDim. z is drawn with noise seeded
   * from `noise`; `dropoutRandom` enables dropout (training).
   */
  loss(
    padded: tf.Tensor2D,
    target: tf.Tensor2D,
    beta: number,
    noise: Random,
    dropoutRandom?: Random,
  ): { total: tf.Scalar; reconstruction: tf.Scalar; kl: tf.Scalar } {
    return tf.tidy(() => {
      const { mu, logVar } = this.encode(padded, dropoutRandom);
      const epsilon = tf.randomNormal(mu.shape, 0, 1, 'float32', noise.nextUint32());
      const z = tf.add(mu, tf.mul(epsilon, tf.exp(tf.mul(logVar, 0.5)))) as tf.Tensor2D;
      const reconstruction = tf.mean(tf.square(tf.sub(this.decode(z, dropoutRandom), target)));
      const kl = tf.mul(
        tf.mean(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mu)), tf.exp(logVar))),
        -0.5,
      );
      return {
        total: tf.add(reconstruction, tf.mul(kl, beta)) as tf.Scalar,
        reconstruction: reconstruction as tf.Scalar,
        kl: kl as tf.Scalar,
      };
    });
  }

  dispose(): void {
    this.store.dispose();
  }
}
